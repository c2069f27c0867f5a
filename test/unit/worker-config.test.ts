import { COMPENSATE_UNAVAILABLE, ConfigError, loadWorkerConfig } from '../../worker/config';
import { SANDBOX_CREDENTIALS } from '../../common/sandbox-credentials';

describe('worker configuration', () => {
  it('points every provider at the sandbox with its credentials by default', () => {
    const config = loadWorkerConfig({ SANDBOX_URL: 'http://127.0.0.1:9999' });
    expect(config.zspay).toEqual({
      baseUrl: 'http://127.0.0.1:9999/zspay',
      sandbox: true,
      token: SANDBOX_CREDENTIALS.zspay.token,
    });
    expect(config.adiq.authUrl).toBe('http://127.0.0.1:9999/adiq/auth');
    expect(config.adiq.recurrenceUrl).toBe('http://127.0.0.1:9999/adiq/recurrence');
    expect(config.zapsign.clientTokens).toEqual({});
    expect(config.activePlatform.apiToken).toBe(SANDBOX_CREDENTIALS.activeplatform.apiToken);
    expect(config.merchantTimeZone).toBe('America/Sao_Paulo');
  });

  it('requires credentials for a provider pointed at a real host, naming each setting', () => {
    const attempt = () =>
      loadWorkerConfig({
        ZSPAY_BASE_URL: 'https://api.zsystems.com.br',
        ADIQ_AUTH_URL: 'https://authorization.adiq.io',
        ADIQ_RECURRENCE_URL: 'https://recorrencia.adiq.io',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'ZSPAY_TOKEN is required when its provider points at a real host',
        'ADIQ_CLIENT_ID is required when its provider points at a real host',
        'ADIQ_CLIENT_SECRET is required when its provider points at a real host',
      ]);
    }
  });

  it('reports every malformed setting by name', () => {
    try {
      loadWorkerConfig({ ZSPAY_BASE_URL: 'not a url', PROVIDER_TIMEOUT_MS: 'soon', MERCHANT_TIMEZONE: 'Mars/Base' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('ZSPAY_BASE_URL must be an http(s) URL');
      expect(problems).toContain('PROVIDER_TIMEOUT_MS must be a number of milliseconds');
      expect(problems).toContain('MERCHANT_TIMEZONE must be an IANA time zone');
    }
  });

  it('names the refund payout policy: notify by default, compensate refused with the reason, anything else by name', () => {
    expect(loadWorkerConfig({}).refundPayoutPolicy).toBe('notify');
    expect(loadWorkerConfig({ REFUND_PAYOUT_POLICY: 'notify' }).refundPayoutPolicy).toBe('notify');
    expect(() => loadWorkerConfig({ REFUND_PAYOUT_POLICY: 'compensate' })).toThrow(COMPENSATE_UNAVAILABLE);
    expect(() => loadWorkerConfig({ REFUND_PAYOUT_POLICY: 'reverse' })).toThrow(
      'REFUND_PAYOUT_POLICY: REFUND_PAYOUT_POLICY must be one of notify, compensate',
    );
  });

  it('uses real credentials when given', () => {
    const config = loadWorkerConfig({ ZSPAY_BASE_URL: 'https://api.zsystems.com.br', ZSPAY_TOKEN: 'live-token' });
    expect(config.zspay).toEqual({ baseUrl: 'https://api.zsystems.com.br', sandbox: false, token: 'live-token' });
  });

  it('sizes workers from the environment, and keeps the SDK defaults for what is unset', () => {
    expect(loadWorkerConfig({}).sizing).toEqual({ main: {}, providers: {} });
    const config = loadWorkerConfig({
      WORKER_MAX_CACHED_WORKFLOWS: '2000',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
      WORKER_MAX_CONCURRENT_PROVIDER_ACTIVITIES: '50',
    });
    expect(config.sizing).toEqual({
      main: { maxCachedWorkflows: 2000, maxConcurrentWorkflowTaskExecutions: 8 },
      providers: { maxConcurrentActivityTaskExecutions: 50 },
    });
    try {
      loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'many', WORKER_MAX_CONCURRENT_ACTIVITIES: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('WORKER_MAX_CACHED_WORKFLOWS must be a whole number');
      expect(problems).toContain('WORKER_MAX_CONCURRENT_ACTIVITIES must be at least 1');
    }
  });
});
