import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEMPORAL_ADDRESS, loadTemporalTarget } from '../../client/connection';
import { locateTemporalBinaries } from '../../scripts/temporal-binaries';

describe('Temporal connection target (envconfig)', () => {
  const noFile = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

  it('defaults to the local dev server and says it was not configured', () => {
    const target = loadTemporalTarget(noFile);
    expect(target).toMatchObject({ address: DEFAULT_TEMPORAL_ADDRESS, namespace: 'default', configured: false });
  });

  it('reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and an API key (which turns TLS on)', () => {
    const target = loadTemporalTarget({
      ...noFile,
      TEMPORAL_ADDRESS: 'billing.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'billing.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
    });
    expect(target).toMatchObject({
      address: 'billing.a1b2c.tmprl.cloud:7233',
      namespace: 'billing.a1b2c',
      configured: true,
    });
    expect(target.connectionOptions.apiKey).toBe('secret-key');
    expect(target.connectionOptions.tls).toBeTruthy();
  });

  it('reads a TOML profile chosen by TEMPORAL_PROFILE', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'envconfig-'));
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(file, '[profile.prod]\naddress = "temporal.internal:7233"\nnamespace = "billing-prod"\n');
    const target = loadTemporalTarget({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(target).toMatchObject({ address: 'temporal.internal:7233', namespace: 'billing-prod', configured: true });
  });
});

describe('Temporal binaries', () => {
  it('prefers binaries named by the environment', () => {
    const found = locateTemporalBinaries({
      TEMPORAL_CLI_PATH: process.execPath,
      TEMPORAL_TEST_SERVER_PATH: process.execPath,
    });
    expect(found).toEqual({ cli: process.execPath, testServer: process.execPath });
  });

  it('does not accept an environment path that does not exist', () => {
    expect(
      locateTemporalBinaries({ TEMPORAL_CLI_PATH: '/nope/temporal', TEMPORAL_TEST_SERVER_PATH: process.execPath }),
    ).toBeUndefined();
  });
});
