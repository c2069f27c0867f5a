/**
 * Workflow payload encryption: an AES-256-GCM PayloadCodec (12-byte IV, the key id in the payload
 * metadata so keys can rotate: new payloads use the active key, old ones decrypt with theirs).
 * Unencrypted payloads pass through, so turning encryption on needs no migration. The same codec
 * runs in the client, the worker and the codec server the Web UI and CLI decode through.
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
        throw new Error(`Payload encrypted with unknown key ${keyId || '(none)'}: add it to BILLING_ENCRYPTION_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * The codec from the environment: BILLING_ENCRYPTION_KEYS (a JSON object of key id -> base64
 * 32-byte key) and BILLING_ENCRYPTION_KEY_ID (the key new payloads use; default: the last listed).
 * Undefined when no key is configured.
 */
export function encryptionCodecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  if (!env.BILLING_ENCRYPTION_KEYS) return undefined;
  let parsed: Record<string, string>;
  try {
    parsed = JSON.parse(env.BILLING_ENCRYPTION_KEYS) as Record<string, string>;
  } catch {
    throw new Error('BILLING_ENCRYPTION_KEYS must be a JSON object of key id -> base64 32-byte key');
  }
  const keys = new Map(Object.entries(parsed).map(([id, value]) => [id, Buffer.from(value, 'base64')]));
  if (keys.size === 0) throw new Error('BILLING_ENCRYPTION_KEYS has no key');
  return new EncryptionCodec(keys, env.BILLING_ENCRYPTION_KEY_ID ?? [...keys.keys()].at(-1)!);
}

export function newEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

/** Where `npm start` keeps the development key it generates (BILLING_DATA_DIR, default `.data/`). */
export function localStackKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.resolve(__dirname, '..', env.BILLING_DATA_DIR ?? '.data'), 'encryption-keys.json');
}

/**
 * The keys for talking to the embedded local stack: configured ones, else the development key file
 * `npm start` wrote, if any. Only for the embedded stack: a remote cluster's payloads must never be
 * encrypted with a development key its workers do not have.
 */
export function localStackEncryptionKeys(env: NodeJS.ProcessEnv, embedded: boolean): string | undefined {
  if (env.BILLING_ENCRYPTION_KEYS || !embedded) return env.BILLING_ENCRYPTION_KEYS;
  const file = localStackKeyFile(env);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
