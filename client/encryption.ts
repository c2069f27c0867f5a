/**
 * Workflow payload encryption: an AES-256-GCM PayloadCodec (12-byte IV, the key id in the payload
 * metadata so keys can rotate: new payloads use the active key, old ones decrypt with theirs).
 * Unencrypted payloads pass through, so turning encryption on needs no migration. The same codec
 * runs in the client, the worker and the codec server the Web UI and CLI decode through.
 *
 * Every process finds its keys one way (encryptionKeysFromEnv) and fails closed without one: the
 * worker does not start (requiredEncryptionCodec), clients write nothing in clear (MissingKeyCodec),
 * unless BILLING_ENCRYPTION=off says payloads are meant to be in clear.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    if (!keys.has(activeKeyId)) throw new Error(`No encryption key ${activeKeyId}`);
    for (const [id, key] of keys)
      if (key.length !== 32) throw new Error(`Encryption key ${id} must be 32 bytes (AES-256)`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.activeKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(this.activeKeyId) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!payload.metadata?.encoding || decoder.decode(payload.metadata.encoding) !== ENCRYPTED_ENCODING)
        return payload;
      const keyId = payload.metadata[KEY_ID_METADATA] ? decoder.decode(payload.metadata[KEY_ID_METADATA]) : '';
      const key = this.keys.get(keyId);
      if (!key)
        throw new Error(
          `Payload encrypted with unknown key ${keyId || '(none)'}: add it to BILLING_ENCRYPTION_KEYS (or BILLING_ENCRYPTION_KEYS_FILE)`,
        );
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** How payload encryption is switched off: `BILLING_ENCRYPTION=off` (payloads are then stored in clear). */
export const ENCRYPTION_OFF_SETTING = 'BILLING_ENCRYPTION=off';

/** Where `npm start` keeps the development key it generates (BILLING_DATA_DIR, default `.data/`). */
export function localStackKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.resolve(__dirname, '..', env.BILLING_DATA_DIR ?? '.data'), 'encryption-keys.json');
}

export interface EncryptionKeys {
  /** The JSON object of key id -> base64 key. */
  json: string;
  /** Where it came from, for messages: the variable or the file. */
  source: string;
}

/**
 * The one place every process (typed client, CLI, HTTP API, worker, `npm start`) finds its keys,
 * whatever Temporal address it talks to: BILLING_ENCRYPTION_KEYS, else the file named by
 * BILLING_ENCRYPTION_KEYS_FILE, else the local stack's key file (`.data/encryption-keys.json`, under
 * BILLING_DATA_DIR) when `npm start` has written one. Undefined when none is found.
 */
export function encryptionKeysFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionKeys | undefined {
  if (env.BILLING_ENCRYPTION_KEYS) return { json: env.BILLING_ENCRYPTION_KEYS, source: 'BILLING_ENCRYPTION_KEYS' };
  if (env.BILLING_ENCRYPTION_KEYS_FILE) {
    const file = env.BILLING_ENCRYPTION_KEYS_FILE;
    try {
      return { json: readFileSync(file, 'utf8'), source: `BILLING_ENCRYPTION_KEYS_FILE (${file})` };
    } catch (error) {
      throw new Error(`BILLING_ENCRYPTION_KEYS_FILE: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const file = localStackKeyFile(env);
  return existsSync(file) ? { json: readFileSync(file, 'utf8'), source: file } : undefined;
}

/** True when payload encryption is switched off explicitly (BILLING_ENCRYPTION=off). */
export function encryptionOff(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.BILLING_ENCRYPTION?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'on') return false;
  if (value === 'off') return true;
  throw new Error(`BILLING_ENCRYPTION must be "on" (the default) or "off", got ${env.BILLING_ENCRYPTION}`);
}

/** What to do when no key is found: the settings that provide one, or the explicit opt-out. */
export function missingKeyMessage(env: NodeJS.ProcessEnv = process.env): string {
  return (
    'No payload encryption key: set BILLING_ENCRYPTION_KEYS (a JSON object of key id -> base64 32-byte key) ' +
    `or BILLING_ENCRYPTION_KEYS_FILE (a file holding it), or run \`npm start\` once to generate ${localStackKeyFile(env)}; ` +
    `${ENCRYPTION_OFF_SETTING} stores payloads in clear.`
  );
}

export class EncryptionKeyMissingError extends Error {
  override readonly name = 'EncryptionKeyMissingError';
}

function codecFromKeys({ json, source }: EncryptionKeys, env: NodeJS.ProcessEnv): EncryptionCodec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${source} must be a JSON object of key id -> base64 32-byte key`);
  const keys = new Map(Object.entries(parsed).map(([id, value]) => [id, Buffer.from(String(value), 'base64')]));
  if (keys.size === 0) throw new Error(`${source} has no key`);
  return new EncryptionCodec(keys, env.BILLING_ENCRYPTION_KEY_ID ?? [...keys.keys()].at(-1)!);
}

/**
 * The codec from the keys encryptionKeysFromEnv finds (BILLING_ENCRYPTION_KEY_ID names the key new
 * payloads use; default: the last listed). Undefined when no key is found or BILLING_ENCRYPTION=off.
 */
export function encryptionCodecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  if (encryptionOff(env)) return undefined;
  const keys = encryptionKeysFromEnv(env);
  return keys ? codecFromKeys(keys, env) : undefined;
}

/**
 * For processes that run workflows (the worker): the codec, undefined only with BILLING_ENCRYPTION=off,
 * else an EncryptionKeyMissingError naming the settings. A worker without the key would poll and
 * fail every task of the engine's encrypted workflows, or write their results in clear.
 */
export function requiredEncryptionCodec(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  const codec = encryptionCodecFromEnv(env);
  if (!codec && !encryptionOff(env)) throw new EncryptionKeyMissingError(missingKeyMessage(env));
  return codec;
}

/**
 * Stands in for the encryption codec when no key is found (and encryption is not switched off):
 * plaintext payloads read as usual, but nothing is written in clear, and an encrypted payload's
 * error names the settings instead of "Unknown encoding".
 */
export class MissingKeyCodec implements PayloadCodec {
  constructor(private readonly message: string) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    if (payloads.length > 0)
      throw new EncryptionKeyMissingError(`Refusing to write payloads in clear. ${this.message}`);
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads)
      if (payload.metadata?.encoding && decoder.decode(payload.metadata.encoding) === ENCRYPTED_ENCODING)
        throw new EncryptionKeyMissingError(`Cannot read an encrypted payload. ${this.message}`);
    return payloads;
  }
}

/**
 * For clients (the typed client, the CLI, the HTTP API): the encryption codec, a MissingKeyCodec
 * when no key is found, or undefined with BILLING_ENCRYPTION=off.
 */
export function clientPayloadCodec(env: NodeJS.ProcessEnv = process.env): PayloadCodec | undefined {
  if (encryptionOff(env)) return undefined;
  return encryptionCodecFromEnv(env) ?? new MissingKeyCodec(missingKeyMessage(env));
}

export function newEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}
