import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  clientPayloadCodec,
  EncryptionCodec,
  encryptionCodecFromEnv,
  EncryptionKeyMissingError,
  encryptionKeysFromEnv,
  localStackKeyFile,
  MissingKeyCodec,
  newEncryptionKey,
  requiredEncryptionCodec,
} from '../../client/encryption';
import { at } from '../helpers/defined';

const key = (seed: number) => Buffer.alloc(32, seed);

describe('payload encryption codec (AES-256-GCM)', () => {
  const payload = defaultPayloadConverter.toPayload({ subscriptionId: 'acme-42', amountCents: 4990 });

  it('encrypts with the active key, records its id, and decrypts back', async () => {
    const codec = new EncryptionCodec(new Map([['k1', key(1)]]), 'k1');
    const encrypted = at(await codec.encode([payload]), 0, 'encoded payloads');
    expect(Buffer.from(encrypted.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(encrypted.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(encrypted.data!).toString('latin1')).not.toContain('acme-42');
    const decrypted = at(await codec.decode([encrypted]), 0, 'decoded payloads');
    expect(defaultPayloadConverter.fromPayload(decrypted)).toEqual({ subscriptionId: 'acme-42', amountCents: 4990 });
  });

  it('rotates: new payloads use the new key, old ones still decrypt with theirs', async () => {
    const old = new EncryptionCodec(new Map([['k1', key(1)]]), 'k1');
    const fromOldKey = at(await old.encode([payload]), 0, 'encoded payloads');
    const rotated = new EncryptionCodec(
      new Map([
        ['k1', key(1)],
        ['k2', key(2)],
      ]),
      'k2',
    );
    const fromNewKey = at(await rotated.encode([payload]), 0, 'encoded payloads');
    expect(Buffer.from(fromNewKey.metadata!['encryption-key-id']!).toString()).toBe('k2');
    expect((await rotated.decode([fromOldKey, fromNewKey])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(
      [
        { subscriptionId: 'acme-42', amountCents: 4990 },
        { subscriptionId: 'acme-42', amountCents: 4990 },
      ],
    );
    await expect(new EncryptionCodec(new Map([['k2', key(2)]]), 'k2').decode([fromOldKey])).rejects.toThrow(
      'unknown key k1',
    );
  });

  it('passes unencrypted payloads through and detects tampering', async () => {
    const codec = new EncryptionCodec(new Map([['k1', key(1)]]), 'k1');
    expect(await codec.decode([payload])).toEqual([payload]);
    const encrypted = at(await codec.encode([payload]), 0, 'encoded payloads');
    const tampered = { ...encrypted, data: Buffer.from(encrypted.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
  });

  it('reads keys from the environment, the last one active unless named', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'billing-no-keys-'));
    expect(encryptionCodecFromEnv({ BILLING_DATA_DIR: empty })).toBeUndefined();
    rmSync(empty, { recursive: true, force: true });
    expect(() => encryptionCodecFromEnv({ BILLING_ENCRYPTION_KEYS: 'nope' })).toThrow(
      'BILLING_ENCRYPTION_KEYS must be a JSON object',
    );
    expect(() => encryptionCodecFromEnv({ BILLING_ENCRYPTION_KEYS: JSON.stringify({ short: 'AAAA' }) })).toThrow(
      '32 bytes',
    );
    expect(
      encryptionCodecFromEnv({
        BILLING_ENCRYPTION_KEYS: JSON.stringify({ a: newEncryptionKey(), b: newEncryptionKey() }),
      }),
    ).toBeInstanceOf(EncryptionCodec);
  });
});

describe('finding the keys: one way for every process, whatever the Temporal address', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-keys-'));
  const empty = mkdtempSync(path.join(os.tmpdir(), 'billing-no-keys-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });
  const keys = JSON.stringify({ 'dev-1': Buffer.alloc(32, 7).toString('base64') });
  const other = JSON.stringify({ 'prod-1': Buffer.alloc(32, 9).toString('base64') });

  it('uses the local stack key file once `npm start` has written it, for any address', () => {
    const env = { BILLING_DATA_DIR: dir, TEMPORAL_ADDRESS: '127.0.0.1:17233' };
    expect(encryptionKeysFromEnv(env)).toBeUndefined();
    writeFileSync(localStackKeyFile(env), keys);
    expect(localStackKeyFile(env)).toBe(path.join(dir, 'encryption-keys.json'));
    expect(encryptionKeysFromEnv(env)).toEqual({ json: keys, source: path.join(dir, 'encryption-keys.json') });
    expect(encryptionCodecFromEnv(env)).toBeInstanceOf(EncryptionCodec);
  });

  it('prefers BILLING_ENCRYPTION_KEYS, then BILLING_ENCRYPTION_KEYS_FILE, then the local file', () => {
    writeFileSync(localStackKeyFile({ BILLING_DATA_DIR: dir }), keys);
    const file = path.join(dir, 'prod-keys.json');
    writeFileSync(file, other);
    expect(encryptionKeysFromEnv({ BILLING_DATA_DIR: dir, BILLING_ENCRYPTION_KEYS_FILE: file })?.json).toBe(other);
    expect(
      encryptionKeysFromEnv({
        BILLING_DATA_DIR: dir,
        BILLING_ENCRYPTION_KEYS_FILE: file,
        BILLING_ENCRYPTION_KEYS: '{}',
      })?.source,
    ).toBe('BILLING_ENCRYPTION_KEYS');
    expect(() => encryptionKeysFromEnv({ BILLING_ENCRYPTION_KEYS_FILE: path.join(empty, 'missing.json') })).toThrow(
      'BILLING_ENCRYPTION_KEYS_FILE: cannot read',
    );
    expect(() =>
      encryptionCodecFromEnv({ BILLING_DATA_DIR: dir, BILLING_ENCRYPTION_KEYS_FILE: file + '.x' }),
    ).toThrow();
  });

  it('the worker refuses to start without a key unless BILLING_ENCRYPTION=off', () => {
    expect(() => requiredEncryptionCodec({ BILLING_DATA_DIR: empty })).toThrow(EncryptionKeyMissingError);
    expect(() => requiredEncryptionCodec({ BILLING_DATA_DIR: empty })).toThrow(
      /BILLING_ENCRYPTION_KEYS.*BILLING_ENCRYPTION_KEYS_FILE.*BILLING_ENCRYPTION=off/s,
    );
    expect(requiredEncryptionCodec({ BILLING_DATA_DIR: empty, BILLING_ENCRYPTION: 'off' })).toBeUndefined();
    expect(requiredEncryptionCodec({ BILLING_DATA_DIR: dir })).toBeInstanceOf(EncryptionCodec);
    expect(() => requiredEncryptionCodec({ BILLING_DATA_DIR: dir, BILLING_ENCRYPTION: 'maybe' })).toThrow(
      'BILLING_ENCRYPTION must be',
    );
  });

  it('clients without a key read plaintext but write nothing in clear and name the setting on ciphertext', async () => {
    const codec = clientPayloadCodec({ BILLING_DATA_DIR: empty });
    expect(codec).toBeInstanceOf(MissingKeyCodec);
    const plain = defaultPayloadConverter.toPayload({ id: 'acme-42' });
    expect(await codec!.decode([plain])).toEqual([plain]);
    expect(await codec!.encode([])).toEqual([]);
    await expect(codec!.encode([plain])).rejects.toThrow(
      /Refusing to write payloads in clear.*BILLING_ENCRYPTION_KEYS/s,
    );
    const encrypted = await new EncryptionCodec(new Map([['k1', key(1)]]), 'k1').encode([plain]);
    await expect(codec!.decode(encrypted)).rejects.toThrow(
      /Cannot read an encrypted payload.*BILLING_ENCRYPTION_KEYS/s,
    );
    expect(clientPayloadCodec({ BILLING_DATA_DIR: empty, BILLING_ENCRYPTION: 'off' })).toBeUndefined();
  });
});
