/**
 * Connection settings the Temporal way: `@temporalio/envconfig` reads the TOML profile
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) and the environment (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*), so one worker runs against the local dev
 * server, a self-hosted cluster or Temporal Cloud.
 */
import { loadClientConfigProfile, toClientOptions, type ClientConnectConfig } from '@temporalio/envconfig';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ENGINE_SEARCH_ATTRIBUTES } from '../common/search-attributes';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export interface TemporalTarget extends ClientConnectConfig {
  address: string;
  namespace: string;
  /** True when the address came from configuration (a cluster of the user's), not the default. */
  configured: boolean;
}

export function loadTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const profile = loadClientConfigProfile({ overrideEnvVars, profile: env.TEMPORAL_PROFILE });
  const configured = Boolean(profile.address);
  const address = profile.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const { connectionOptions, namespace } = toClientOptions({ ...profile, address });
  return { connectionOptions, address, namespace: namespace ?? 'default', configured };
}

const CLI_TYPE_TO_INDEXED: Record<
  (typeof ENGINE_SEARCH_ATTRIBUTES)[number]['type'],
  temporal.api.enums.v1.IndexedValueType
> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the engine's search attributes that the namespace lacks. Idempotent. On clusters that
 * forbid it (Temporal Cloud manages them in its UI/tcld), the error says which ones to add.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys({ ...existing.customAttributes, ...existing.systemAttributes }));
  const missing = ENGINE_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await addSearchAttributes(connection, namespace, missing);
  return missing.map((key) => key.name);
}

/** Adds search attributes without listing first (the time-skipping server cannot list them). */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  missing: ReadonlyArray<(typeof ENGINE_SEARCH_ATTRIBUTES)[number]> = ENGINE_SEARCH_ATTRIBUTES,
): Promise<void> {
  const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, CLI_TYPE_TO_INDEXED[key.type]]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    const list = missing.map((key) => `${key.name} (${key.type})`).join(', ');
    throw new Error(
      `Could not register search attributes ${list} in namespace ${namespace}: ${(error as Error).message}. Add them with your cluster's tooling.`,
    );
  }
}
