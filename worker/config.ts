/** Worker settings from environment variables; README "Configuration" documents each one. */
import { readFileSync } from 'node:fs';
import type { ClientSettings } from '../client/sending-client';
import { TASK_QUEUE_DEFAULT } from '../workflows/messages';

export class ConfigError extends Error {}

export type TemporalSettings = ClientSettings;

export interface WorkerSettings {
  temporal: TemporalSettings;
  directory: { url?: string; sqlitePath: string };
  rateLimitPerSecond: number;
  concurrency: number;
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
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE_DEFAULT,
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

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv): WorkerSettings {
  return {
    temporal: temporalSettingsFromEnv(env),
    directory: { url: env.DIRECTORY_URL || undefined, sqlitePath: env.DIRECTORY_SQLITE_PATH || '.data/directory.sqlite' },
    rateLimitPerSecond: positiveNumber(env, 'SMS_RATE_LIMIT', 50),
    concurrency: Math.max(1, Math.floor(positiveNumber(env, 'SMS_CONCURRENCY', 8))),
  };
}
