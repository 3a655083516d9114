import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, dispatchSettingsFromEnv, workerSettingsFromEnv } from '../../worker/config';

describe('worker settings from the environment', () => {
  test('defaults: local dev server, SQLite under .data, 50 messages/s shared by the workers on the directory, 8 in flight', () => {
    expect(workerSettingsFromEnv({})).toEqual({
      logLevel: 'WARN',
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'durable-sms' },
      directory: { url: undefined, sqlitePath: '.data/directory.sqlite' },
      rateLimitPerSecond: 50,
      rateLimitScope: 'directory',
      concurrency: 8,
    });
  });

  test('Temporal Cloud with an API key turns TLS on; mutual TLS reads the PEM files', () => {
    expect(
      workerSettingsFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'k' })
        .temporal,
    ).toEqual({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', taskQueue: 'durable-sms', apiKey: 'k', tls: {} });
    const dir = mkdtempSync(join(tmpdir(), 'pem-'));
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    writeFileSync(join(dir, 'k.pem'), 'KEY');
    const tls = workerSettingsFromEnv({ TEMPORAL_TLS_CERT: join(dir, 'c.pem'), TEMPORAL_TLS_KEY: join(dir, 'k.pem') }).temporal.tls;
    expect(tls?.clientCertPair?.crt.toString()).toBe('CERT');
    expect(tls?.clientCertPair?.key.toString()).toBe('KEY');
  });

  test('the rate limit: per worker process, or shared under a key of your own', () => {
    expect(workerSettingsFromEnv({ SMS_RATE_LIMIT: '500', SMS_RATE_LIMIT_SCOPE: ' Worker ' })).toMatchObject({
      rateLimitPerSecond: 500,
      rateLimitScope: 'worker',
    });
    expect(workerSettingsFromEnv({ SMS_RATE_LIMIT_KEY: ' twilio-main ' }).rateLimitKey).toBe('twilio-main');
  });

  test('bad rate-limit settings name the variable and the fix', () => {
    expect(() => workerSettingsFromEnv({ SMS_RATE_LIMIT: '-5' })).toThrow(
      new ConfigError('SMS_RATE_LIMIT="-5" is not a number ≥ 0; set it to e.g. 50.'),
    );
    expect(() => workerSettingsFromEnv({ SMS_RATE_LIMIT_SCOPE: 'cluster' })).toThrow(
      new ConfigError(
        'SMS_RATE_LIMIT_SCOPE="cluster" is not a scope: set it to directory (default: SMS_RATE_LIMIT is shared by every worker on the same directory) or worker (each worker process sends up to SMS_RATE_LIMIT on its own).',
      ),
    );
    expect(() => workerSettingsFromEnv({ SMS_RATE_LIMIT_KEY: 'k'.repeat(201) })).toThrow(
      'SMS_RATE_LIMIT_KEY must be a name of 1 to 200 printable characters (e.g. twilio-main): workers with the same key share one limit. Unset it to derive the key from the provider.',
    );
  });

  test('a workflow bundle built ahead, or a clear error when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeFileSync(join(dir, 'workflow-bundle.js'), '// bundle');
    expect(workerSettingsFromEnv({ WORKER_WORKFLOW_BUNDLE: join(dir, 'workflow-bundle.js') }).workflowBundlePath).toBe(
      join(dir, 'workflow-bundle.js'),
    );
    expect(() => workerSettingsFromEnv({ WORKER_WORKFLOW_BUNDLE: '/nope/bundle.js' })).toThrow(
      'WORKER_WORKFLOW_BUNDLE="/nope/bundle.js" does not exist: point it at a bundle written by bundleWorkflowCode, or unset it to bundle the workflows at start.',
    );
  });

  test('bad values name the variable and the fix', () => {
    expect(() => workerSettingsFromEnv({ SMS_RATE_LIMIT: 'fast' })).toThrow(
      new ConfigError('SMS_RATE_LIMIT="fast" is not a number ≥ 0; set it to e.g. 50.'),
    );
    expect(() => workerSettingsFromEnv({ TEMPORAL_TLS_CERT: '/nope.pem' })).toThrow(
      'TEMPORAL_TLS_CERT="/nope.pem" cannot be read: point it at a PEM file.',
    );
    const dir = mkdtempSync(join(tmpdir(), 'pem-'));
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    expect(() => workerSettingsFromEnv({ TEMPORAL_TLS_CERT: join(dir, 'c.pem') })).toThrow(
      'Mutual TLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (PEM files).',
    );
  });

  test('the metrics endpoint: off unless WORKER_METRICS_PORT is set; a port listens on 127.0.0.1, an IP address and port where it says', () => {
    expect(workerSettingsFromEnv({}).metricsAddress).toBeUndefined();
    expect(workerSettingsFromEnv({ WORKER_METRICS_PORT: ' ' }).metricsAddress).toBeUndefined();
    expect(workerSettingsFromEnv({ WORKER_METRICS_PORT: '9464' }).metricsAddress).toBe('127.0.0.1:9464');
    expect(workerSettingsFromEnv({ WORKER_METRICS_PORT: '0.0.0.0:9464' }).metricsAddress).toBe('0.0.0.0:9464');
    expect(workerSettingsFromEnv({ WORKER_METRICS_PORT: '[::1]:9464' }).metricsAddress).toBe('[::1]:9464');
  });

  test.each(['metrics', '0', '65536', 'localhost:9464', '::1:9464', '0.0.0.0:', '10.0.0.1:http'])(
    'WORKER_METRICS_PORT="%s" is refused with the variable and the fix',
    (value) => {
      expect(() => workerSettingsFromEnv({ WORKER_METRICS_PORT: value })).toThrow(
        new ConfigError(
          `WORKER_METRICS_PORT="${value}" is not a port or an IP address and port: set it to e.g. 9464 (listens on 127.0.0.1), 0.0.0.0:9464 (every interface) or [::1]:9464, or unset it to turn the metrics endpoint off.`,
        ),
      );
    },
  );

  test('the log level: one of TRACE, DEBUG, INFO, WARN, ERROR, in any case; anything else is refused with the values', () => {
    expect(workerSettingsFromEnv({ WORKER_LOG_LEVEL: ' info ' }).logLevel).toBe('INFO');
    expect(() => workerSettingsFromEnv({ WORKER_LOG_LEVEL: 'verbose' })).toThrow(
      'WORKER_LOG_LEVEL="verbose" is not a log level: set it to TRACE, DEBUG, INFO, WARN, ERROR (default WARN), or unset it.',
    );
  });

  test("a batch's time limit: 10 minutes by default, from 1 s to 25 minutes (under the batch's 30-minute time-out)", () => {
    const outbox = { kind: 'outbox' } as const;
    expect(dispatchSettingsFromEnv({}, outbox).batchTimeLimitMs).toBe(600_000);
    expect(dispatchSettingsFromEnv({ SMS_BATCH_TIME_LIMIT_MS: '120000' }, outbox).batchTimeLimitMs).toBe(120_000);
    expect(() => dispatchSettingsFromEnv({ SMS_BATCH_TIME_LIMIT_MS: '1800000' }, outbox)).toThrow(
      /^SMS_BATCH_TIME_LIMIT_MS="1800000" is above 1500000 \(25 minutes\): a batch must end within its 30-minute time-out\./,
    );
    expect(() => dispatchSettingsFromEnv({ SMS_BATCH_TIME_LIMIT_MS: '500' }, outbox)).toThrow(
      /^SMS_BATCH_TIME_LIMIT_MS="500" is not a whole number ≥ 1000/,
    );
  });
});
