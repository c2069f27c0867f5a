import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  EncryptionCodec,
  encryptionCodecFromEnv,
  localStackEncryptionKeys,
  localStackKeyFile,
  newEncryptionKey,
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
    expect(encryptionCodecFromEnv({})).toBeUndefined();
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

describe('the local stack development key', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keys = JSON.stringify({ 'dev-1': Buffer.alloc(32, 7).toString('base64') });

  it('is what the CLI decodes with against the embedded stack, once `npm start` has written it', () => {
    const env = { BILLING_DATA_DIR: dir };
    expect(localStackEncryptionKeys(env, true)).toBeUndefined();
    writeFileSync(localStackKeyFile(env), keys);
    expect(localStackKeyFile(env)).toBe(path.join(dir, 'encryption-keys.json'));
    expect(localStackEncryptionKeys(env, true)).toBe(keys);
  });

  it('is never used for a configured cluster, and configured keys win', () => {
    writeFileSync(localStackKeyFile({ BILLING_DATA_DIR: dir }), keys);
    expect(localStackEncryptionKeys({ BILLING_DATA_DIR: dir }, false)).toBeUndefined();
    expect(localStackEncryptionKeys({ BILLING_DATA_DIR: dir, BILLING_ENCRYPTION_KEYS: '{"k":"x"}' }, true)).toBe(
      '{"k":"x"}',
    );
  });
});
