/**
 * Generic JSON webhook provider. Contract with the endpoint (documented for its implementers):
 * - request: POST JSON `{ to, from, body, idempotencyKey, sendingId }` with header `Idempotency-Key`;
 * - the endpoint MUST dedupe by that key (a repeated key sends nothing new and answers as the first time);
 * - 2xx: accepted (optional JSON `id` or `messageId`); 401/403: the caller is refused (the sending pauses);
 *   other 4xx: refused for this recipient (JSON `error` or `message` says why); 408/409/425/429/5xx: transient, retried with the same key (Retry-After honoured).
 */
import {
  DEFAULT_TIMEOUT_MS,
  isRecord,
  isTransientStatus,
  originOf,
  parseEndpointUrl,
  post,
  readJson,
  transientStatusError,
} from './http-call';
import type { HttpTransport } from './http-transport';
import { isAccountErrorCode, isAccountStatus } from './account-errors';
import { ProviderAccountError, type OutgoingSms, type ProviderResult, type SmsProvider } from './provider';

export interface HttpProviderConfig {
  url: string;
  /** Extra request headers, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function createHttpProvider(config: HttpProviderConfig, options: { transport?: HttpTransport } = {}): SmsProvider {
  const url = parseEndpointUrl(config.url, 'The HTTP provider URL').toString();
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const label = `the HTTP provider (${originOf(url)})`;

  return {
    name: 'http',
    idempotent: true,
    async send(sms: OutgoingSms): Promise<ProviderResult> {
      const response = await post(url, {
        headers: {
          ...config.headers,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': sms.idempotencyKey,
        },
        body: JSON.stringify({ to: sms.to, from: sms.from, body: sms.body, idempotencyKey: sms.idempotencyKey, sendingId: sms.sendingId }),
        timeoutMs,
        label,
        transport: options.transport,
      });
      // 409: a request with this key is still being processed.
      if (isTransientStatus(response.status) || response.status === 409) {
        throw transientStatusError(response, label);
      }
      const json = await readJson(response);
      if (response.ok) return { status: 'sent', providerMessageId: messageIdOf(json) ?? sms.idempotencyKey };
      const code = isRecord(json) && (typeof json.code === 'string' || typeof json.code === 'number') ? String(json.code) : undefined;
      const reason = `HTTP ${response.status}: ${reasonOf(json) ?? (response.statusText || 'refused')}`;
      if (isAccountStatus(response.status) || isAccountErrorCode(code))
        throw new ProviderAccountError(`${label} refused the account: ${reason}`, code);
      return { status: 'rejected', reason, ...(code ? { code } : {}) };
    },
  };
}

function messageIdOf(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  for (const key of ['id', 'messageId']) {
    const value = json[key];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function reasonOf(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const error = json.error;
  if (typeof error === 'string' && error !== '') return error;
  if (isRecord(error) && typeof error.message === 'string' && error.message !== '') return error.message;
  return typeof json.message === 'string' && json.message !== '' ? json.message : undefined;
}
