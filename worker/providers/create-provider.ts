/** Picks and configures the SMS provider, from explicit settings or from the worker's environment. */
import { createHttpProvider, type HttpProviderConfig } from './http-provider';
import { createOutboxProvider, type OutboxReceipts, type OutboxStore } from './outbox-provider';
import { ProviderConfigError, type SmsProvider } from './provider';
import { createTwilioProvider, type TwilioConfig } from './twilio-provider';

export type ProviderKind = 'outbox' | 'twilio' | 'http';

export type ProviderConfig =
  | { kind: 'outbox'; undeliveredShare?: number }
  | ({ kind: 'twilio' } & TwilioConfig)
  | ({ kind: 'http' } & HttpProviderConfig);

export function createProvider(
  config: ProviderConfig,
  deps: { outboxStore: OutboxStore; recordReceipt?: OutboxReceipts['record'] },
): SmsProvider {
  switch (config.kind) {
    case 'outbox':
      return createOutboxProvider(
        deps.outboxStore,
        deps.recordReceipt ? { undeliveredShare: config.undeliveredShare ?? 0, record: deps.recordReceipt } : undefined,
      );
    case 'twilio':
      return createTwilioProvider(config);
    case 'http':
      return createHttpProvider(config);
    default:
      throw new ProviderConfigError(
        `Unknown SMS provider kind ${JSON.stringify((config as { kind?: unknown }).kind)}: use outbox, twilio or http.`,
      );
  }
}

/**
 * Reads the provider settings from the environment:
 * SMS_PROVIDER (outbox | twilio | http, default outbox);
 * twilio: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET),
 *   TWILIO_FROM and/or TWILIO_MESSAGING_SERVICE_SID, optional TWILIO_BASE_URL;
 * http: SMS_HTTP_URL, optional SMS_HTTP_HEADERS (a JSON object of header names to values).
 * Optional SMS_PROVIDER_TIMEOUT_MS for both HTTP-based providers.
 */
export function providerConfigFromEnv(env: NodeJS.ProcessEnv): ProviderConfig {
  const kind = (value(env, 'SMS_PROVIDER') ?? 'outbox').toLowerCase();
  switch (kind) {
    case 'outbox':
      return { kind: 'outbox', ...undeliveredShareFromEnv(env) };
    case 'twilio':
      return twilioFromEnv(env);
    case 'http':
      return httpFromEnv(env);
    default:
      throw new ProviderConfigError(
        `SMS_PROVIDER=${JSON.stringify(env.SMS_PROVIDER)} is not a known provider: set SMS_PROVIDER to outbox (default), twilio or http.`,
        'SMS_PROVIDER',
      );
  }
}

function twilioFromEnv(env: NodeJS.ProcessEnv): ProviderConfig {
  const accountSid = required(env, 'TWILIO_ACCOUNT_SID', 'the Twilio account SID (starts with AC), from the Twilio console');
  const apiKeySid = value(env, 'TWILIO_API_KEY_SID');
  const apiKeySecret = value(env, 'TWILIO_API_KEY_SECRET');
  if (apiKeySid && !apiKeySecret) throw missing('TWILIO_API_KEY_SECRET', 'the secret of the API key given in TWILIO_API_KEY_SID');
  if (apiKeySecret && !apiKeySid)
    throw missing('TWILIO_API_KEY_SID', 'the SID (starts with SK) of the API key whose secret is in TWILIO_API_KEY_SECRET');
  const authToken = apiKeySid
    ? value(env, 'TWILIO_AUTH_TOKEN')
    : required(env, 'TWILIO_AUTH_TOKEN', "the account's auth token (or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET)");
  const from = value(env, 'TWILIO_FROM');
  const messagingServiceSid = value(env, 'TWILIO_MESSAGING_SERVICE_SID');
  if (!from && !messagingServiceSid) {
    throw missing(
      'TWILIO_FROM',
      'the default sender (a Twilio number in E.164 or an alphanumeric id), or set TWILIO_MESSAGING_SERVICE_SID',
    );
  }
  const baseUrl = value(env, 'TWILIO_BASE_URL');
  const statusCallbackUrl = value(env, 'TWILIO_STATUS_CALLBACK_URL');
  return {
    kind: 'twilio',
    accountSid,
    ...(authToken ? { authToken } : {}),
    ...(apiKeySid ? { apiKeySid, apiKeySecret } : {}),
    ...(from ? { from } : {}),
    ...(messagingServiceSid ? { messagingServiceSid } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
    ...timeoutFromEnv(env),
  };
}

function httpFromEnv(env: NodeJS.ProcessEnv): ProviderConfig {
  const url = required(env, 'SMS_HTTP_URL', 'the URL that receives one JSON POST per message, e.g. https://sms.example.com/messages');
  const rawHeaders = value(env, 'SMS_HTTP_HEADERS');
  return { kind: 'http', url, ...(rawHeaders ? { headers: parseHeaders(rawHeaders) } : {}), ...timeoutFromEnv(env) };
}

/** The value is never echoed: it usually holds a token. */
function parseHeaders(raw: string): Record<string, string> {
  const example = 'for example {"Authorization":"Bearer <token>"}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ProviderConfigError(
      `SMS_HTTP_HEADERS is not valid JSON: set it to a JSON object of header names to values, ${example}.`,
      'SMS_HTTP_HEADERS',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProviderConfigError(`SMS_HTTP_HEADERS must be a JSON object of header names to values, ${example}.`, 'SMS_HTTP_HEADERS');
  }
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(parsed)) {
    if (typeof headerValue !== 'string') {
      throw new ProviderConfigError(`SMS_HTTP_HEADERS: the value of header "${name}" must be a string, ${example}.`, 'SMS_HTTP_HEADERS');
    }
    headers[name] = headerValue;
  }
  return headers;
}

function undeliveredShareFromEnv(env: NodeJS.ProcessEnv): { undeliveredShare?: number } {
  const raw = value(env, 'SMS_OUTBOX_UNDELIVERED_SHARE');
  if (raw === undefined) return {};
  const share = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || share > 1) {
    throw new ProviderConfigError(
      `SMS_OUTBOX_UNDELIVERED_SHARE=${JSON.stringify(raw)} is not a share from 0 to 1: set it to e.g. 0.05 (5 % of the outbox's simulated receipts undelivered) or unset it (all delivered).`,
      'SMS_OUTBOX_UNDELIVERED_SHARE',
    );
  }
  return { undeliveredShare: share };
}

function timeoutFromEnv(env: NodeJS.ProcessEnv): { timeoutMs?: number } {
  const raw = value(env, 'SMS_PROVIDER_TIMEOUT_MS');
  if (raw === undefined) return {};
  const timeoutMs = Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ProviderConfigError(
      `SMS_PROVIDER_TIMEOUT_MS=${JSON.stringify(raw)} is not a positive whole number of milliseconds: set it to e.g. 15000 or unset it.`,
      'SMS_PROVIDER_TIMEOUT_MS',
    );
  }
  return { timeoutMs };
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const found = value(env, name);
  if (found === undefined) throw missing(name, what);
  return found;
}

function missing(name: string, what: string): ProviderConfigError {
  const provider = name.startsWith('TWILIO_') ? 'twilio' : 'http';
  return new ProviderConfigError(`${name} is not set: SMS_PROVIDER=${provider} needs it. Set ${name} to ${what}.`, name);
}
