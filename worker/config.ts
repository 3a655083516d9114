/** Worker settings from environment variables; docs/configuration.md documents each one. */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { DEFAULT_TASK_QUEUE, type ClientSettings } from '../client/temporal-connection';
import { DEFAULT_SQLITE_PATH, type DirectoryConfig } from './directory/open-directory';
import { DEFAULT_DISPATCH_SETTINGS, MAX_BATCH_TIME_LIMIT_MS, type DispatchSettings } from './activities/dispatch-settings';
import type { RateLimitScope } from './providers/create-rate-limiter';
import type { ProviderConfig } from './providers/create-provider';
import { DEFAULT_TIMEOUT_MS } from './providers/http-call';

export class ConfigError extends Error {}

export type TemporalSettings = ClientSettings;

export interface WorkerSettings {
  /** WORKER_LOG_LEVEL (default WARN). */
  logLevel: WorkerLogLevel;
  temporal: TemporalSettings;
  directory: DirectoryConfig;
  rateLimitPerSecond: number;
  /** `directory` (default): one limit shared by every worker on the directory; `worker`: each process its own. */
  rateLimitScope: RateLimitScope;
  /** Workers with the same key share a limit; unset: derived from the provider. */
  rateLimitKey?: string;
  concurrency: number;
  /** WORKER_WORKFLOW_BUNDLE: workflow code bundled ahead (bundleWorkflowCode); unset: bundled at start. */
  workflowBundlePath?: string;
  /** WORKER_METRICS_PORT as `host:port` (default host 127.0.0.1): where Prometheus scrapes `/metrics`; unset: no metrics. */
  metricsAddress?: string;
}

const RATE_LIMIT_KEY_MAX = 200;

function rateLimitScope(env: NodeJS.ProcessEnv): RateLimitScope {
  const raw = env.SMS_RATE_LIMIT_SCOPE?.trim() ?? '';
  const scope = raw.toLowerCase() || 'directory';
  if (scope === 'directory' || scope === 'worker') return scope;
  throw new ConfigError(
    `SMS_RATE_LIMIT_SCOPE="${raw}" is not a scope: set it to directory (default: SMS_RATE_LIMIT is shared by every worker on the same directory) or worker (each worker process sends up to SMS_RATE_LIMIT on its own).`,
  );
}

function rateLimitKey(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.SMS_RATE_LIMIT_KEY?.trim();
  if (!key) return undefined;
  if (key.length > RATE_LIMIT_KEY_MAX || /[\u0000-\u001f]/.test(key)) {
    throw new ConfigError(
      `SMS_RATE_LIMIT_KEY must be a name of 1 to ${RATE_LIMIT_KEY_MAX} printable characters (e.g. twilio-main): workers with the same key share one limit. Unset it to derive the key from the provider.`,
    );
  }
  return key;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name}="${raw}" is not a number ≥ 0; set it to e.g. ${fallback}.`);
  return value;
}

function pem(env: NodeJS.ProcessEnv, name: string): Buffer | undefined {
  const path = env[name];
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError(`${name}="${path}" cannot be read: point it at a PEM file.`);
  }
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv): TemporalSettings {
  const settings: TemporalSettings = {
    address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
  };
  if (env.TEMPORAL_API_KEY) settings.apiKey = env.TEMPORAL_API_KEY;
  const ca = pem(env, 'TEMPORAL_TLS_CA');
  const crt = pem(env, 'TEMPORAL_TLS_CERT');
  const key = pem(env, 'TEMPORAL_TLS_KEY');
  if ((crt && !key) || (key && !crt)) throw new ConfigError('Mutual TLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (PEM files).');
  const tlsWanted = ca || crt || env.TEMPORAL_TLS === 'true' || settings.apiKey;
  if (tlsWanted && env.TEMPORAL_TLS !== 'false') {
    settings.tls = {
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
    };
  }
  return settings;
}

function workflowBundle(env: NodeJS.ProcessEnv): { workflowBundlePath?: string } {
  const path = env.WORKER_WORKFLOW_BUNDLE?.trim();
  if (!path) return {};
  if (!existsSync(path)) {
    throw new ConfigError(
      `WORKER_WORKFLOW_BUNDLE="${path}" does not exist: point it at a bundle written by bundleWorkflowCode, or unset it to bundle the workflows at start.`,
    );
  }
  return { workflowBundlePath: path };
}

const METRICS_HOST_DEFAULT = '127.0.0.1';

function metricsAddress(env: NodeJS.ProcessEnv): { metricsAddress?: string } {
  const raw = env.WORKER_METRICS_PORT?.trim();
  if (!raw) return {};
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(raw);
  const host = match?.[1] ?? METRICS_HOST_DEFAULT;
  const port = Number(match?.[2]);
  // The SDK binds a socket address, not a name: IPv4, or IPv6 in brackets.
  const ipHost = host.startsWith('[') ? isIP(host.slice(1, -1)) === 6 : isIP(host) === 4;
  if (!match || port < 1 || port > 65535 || !ipHost) {
    throw new ConfigError(
      `WORKER_METRICS_PORT="${raw}" is not a port or an IP address and port: set it to e.g. 9464 (listens on ${METRICS_HOST_DEFAULT}), 0.0.0.0:9464 (every interface) or [::1]:9464, or unset it to turn the metrics endpoint off.`,
    );
  }
  return { metricsAddress: `${host}:${port}` };
}

/** Where the directory is (DIRECTORY_URL, DIRECTORY_SQLITE_PATH): all the CLI and the demo need of the worker's settings. */
export function directoryLocationFromEnv(env: NodeJS.ProcessEnv): DirectoryConfig {
  return { url: env.DIRECTORY_URL || undefined, sqlitePath: env.DIRECTORY_SQLITE_PATH || DEFAULT_SQLITE_PATH };
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type WorkerLogLevel = (typeof LOG_LEVELS)[number];

function logLevel(env: NodeJS.ProcessEnv): WorkerLogLevel {
  const raw = env.WORKER_LOG_LEVEL?.trim() ?? '';
  if (raw === '') return 'WARN';
  const level = raw.toUpperCase() as WorkerLogLevel;
  if (!LOG_LEVELS.includes(level))
    throw new ConfigError(`WORKER_LOG_LEVEL="${raw}" is not a log level: set it to ${LOG_LEVELS.join(', ')} (default WARN), or unset it.`);
  return level;
}

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv): WorkerSettings {
  const key = rateLimitKey(env);
  return {
    logLevel: logLevel(env),
    temporal: temporalSettingsFromEnv(env),
    directory: directoryLocationFromEnv(env),
    rateLimitPerSecond: positiveNumber(env, 'SMS_RATE_LIMIT', 50),
    rateLimitScope: rateLimitScope(env),
    ...(key ? { rateLimitKey: key } : {}),
    concurrency: Math.max(1, Math.floor(positiveNumber(env, 'SMS_CONCURRENCY', 8))),
    ...workflowBundle(env),
    ...metricsAddress(env),
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, what: string): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min)
    throw new ConfigError(`${name}="${raw}" is not a whole number ≥ ${min}: set it to ${what} (default ${fallback}), or unset it.`);
  return value;
}

/** How a batch deals with a slow or failing provider (docs/configuration.md): the provider's time-out is its own setting. */
export function dispatchSettingsFromEnv(env: NodeJS.ProcessEnv, provider: ProviderConfig): DispatchSettings {
  const d = DEFAULT_DISPATCH_SETTINGS;
  return {
    providerTimeoutMs: provider.kind === 'outbox' ? d.providerTimeoutMs : (provider.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    retryAfterCapMs: wholeNumber(
      env,
      'SMS_RETRY_AFTER_CAP_MS',
      d.retryAfterCapMs,
      0,
      'the longest Retry-After, in ms, a batch waits for before it hands the wait to a durable timer',
    ),
    attemptsPerMessage: wholeNumber(
      env,
      'SMS_ATTEMPTS_PER_MESSAGE',
      d.attemptsPerMessage,
      1,
      'how many provider calls one message may take on 429/5xx/network errors',
    ),
    breakerFailures: wholeNumber(
      env,
      'SMS_BREAKER_FAILURES',
      d.breakerFailures,
      1,
      'how many transient provider failures in a row pause the sending',
    ),
    breakerWindowMs: wholeNumber(env, 'SMS_BREAKER_WINDOW_MS', d.breakerWindowMs, 1, 'the window, in ms, those failures must fall within'),
    backoffRoundsBeforePause: wholeNumber(
      env,
      'SMS_BACKOFF_ROUNDS',
      d.backoffRoundsBeforePause,
      1,
      'how many batches in a row may end with "wait and try again" before the sending pauses',
    ),
    maxPausedMs:
      wholeNumber(
        env,
        'SMS_MAX_PAUSED_HOURS',
        d.maxPausedMs / 3_600_000,
        1,
        'how many hours a paused sending may wait for a resume before it fails',
      ) * 3_600_000,
    batchTimeLimitMs: batchTimeLimit(env, d.batchTimeLimitMs),
  };
}

function batchTimeLimit(env: NodeJS.ProcessEnv, fallback: number): number {
  const what = 'how long, in ms, a batch starts messages before the rest of its recipients go on in the next batch';
  const value = wholeNumber(env, 'SMS_BATCH_TIME_LIMIT_MS', fallback, 1000, what);
  if (value > MAX_BATCH_TIME_LIMIT_MS)
    throw new ConfigError(
      `SMS_BATCH_TIME_LIMIT_MS="${value}" is above ${MAX_BATCH_TIME_LIMIT_MS} (25 minutes): a batch must end within its 30-minute time-out. Set it to ${what} (default ${fallback}), or unset it.`,
    );
  return value;
}

/** The inbound opt-out endpoint (docs/inbound.md). */
export interface InboundSettings {
  /** INBOUND_HTTP_PORT (startInboundServer also takes 0: any free port). */
  port: number;
  /** INBOUND_HTTP_HOST, default 127.0.0.1 (put a TLS proxy in front; 0.0.0.0 listens on every interface). */
  host: string;
  /** INBOUND_TOKEN: shared secret given as `Authorization: Bearer <token>` or `?token=<token>`. */
  token?: string;
  /** TWILIO_AUTH_TOKEN: when set, requests signed by Twilio (X-Twilio-Signature) are accepted. */
  twilioAuthToken?: string;
  /** INBOUND_PUBLIC_URL: the public address of the worker's endpoint root, as Twilio calls it (e.g. https://sms.example.com). */
  publicUrl?: string;
  /** SMS_HTTP_RECEIPT_SECRET: signs the http provider's delivery receipts (docs/receipts.md). */
  receiptSecret?: string;
}

export const INBOUND_TOKEN_MIN_LENGTH = 16;

/** The inbound endpoint's settings, or undefined when INBOUND_HTTP_PORT is unset (endpoint off). Secrets are never echoed. */
export function inboundSettingsFromEnv(env: NodeJS.ProcessEnv): InboundSettings | undefined {
  const rawPort = env.INBOUND_HTTP_PORT?.trim();
  if (!rawPort) return undefined;
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
    throw new ConfigError(
      `INBOUND_HTTP_PORT="${rawPort}" is not a TCP port: set it to a whole number from 1 to 65535 (e.g. 8787), or unset it to turn the inbound endpoint off.`,
    );
  }
  const settings: InboundSettings = { port, host: env.INBOUND_HTTP_HOST?.trim() || '127.0.0.1' };
  const token = env.INBOUND_TOKEN?.trim();
  if (token) settings.token = token;
  const twilioAuthToken = env.TWILIO_AUTH_TOKEN?.trim();
  if (twilioAuthToken) settings.twilioAuthToken = twilioAuthToken;
  const publicUrl = env.INBOUND_PUBLIC_URL?.trim();
  if (publicUrl) settings.publicUrl = publicUrl;
  const receiptSecret = env.SMS_HTTP_RECEIPT_SECRET?.trim();
  if (receiptSecret) settings.receiptSecret = receiptSecret;
  checkInboundSettings(settings);
  if (settings.publicUrl) settings.publicUrl = settings.publicUrl.replace(/\/+$/, '');
  return settings;
}

/** Throws a ConfigError naming the variables when the endpoint would be open to anyone or cannot check Twilio's signature. */
export function checkInboundSettings(settings: Pick<InboundSettings, 'token' | 'twilioAuthToken' | 'publicUrl' | 'receiptSecret'>): void {
  if (settings.receiptSecret !== undefined && settings.receiptSecret.length < INBOUND_TOKEN_MIN_LENGTH) {
    throw new ConfigError(
      `SMS_HTTP_RECEIPT_SECRET is too short (${settings.receiptSecret.length} characters): use a random secret of at least ${INBOUND_TOKEN_MIN_LENGTH} characters, e.g. \`openssl rand -hex 24\`.`,
    );
  }
  if (!settings.token && !settings.twilioAuthToken && !settings.receiptSecret) {
    throw new ConfigError(
      'The inbound opt-out endpoint (INBOUND_HTTP_PORT) needs a way to authenticate callers: set INBOUND_TOKEN to a random secret ' +
        `of at least ${INBOUND_TOKEN_MIN_LENGTH} characters (e.g. \`openssl rand -hex 24\`), and/or TWILIO_AUTH_TOKEN with INBOUND_PUBLIC_URL to check Twilio's signature. ` +
        'Unset INBOUND_HTTP_PORT to turn the endpoint off.',
    );
  }
  if (settings.token !== undefined && settings.token.length < INBOUND_TOKEN_MIN_LENGTH) {
    throw new ConfigError(
      `INBOUND_TOKEN is too short (${settings.token.length} characters): use a random secret of at least ${INBOUND_TOKEN_MIN_LENGTH} characters, e.g. \`openssl rand -hex 24\`.`,
    );
  }
  if (settings.twilioAuthToken && !settings.publicUrl) {
    throw new ConfigError(
      'TWILIO_AUTH_TOKEN is set, so the inbound endpoint checks X-Twilio-Signature, which signs the URL Twilio calls: set INBOUND_PUBLIC_URL ' +
        'to the public address of the endpoint root, e.g. https://sms.example.com (Twilio then calls https://sms.example.com/inbound/<projectId>).',
    );
  }
  if (settings.publicUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(settings.publicUrl);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
      throw new ConfigError(
        `INBOUND_PUBLIC_URL="${settings.publicUrl}" is not an http(s) URL without query: set it to the public address of the endpoint root, e.g. https://sms.example.com.`,
      );
    }
  }
}
