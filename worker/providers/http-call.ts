/**
 * HTTP plumbing shared by the Twilio and generic HTTP providers: a POST with a time-out, transient
 * failures turned into {@link RetryableProviderError}, and error texts that never carry credentials.
 */
import { ProviderConfigError, RetryableProviderError } from './provider';
import { DeadlineError, RequestBuildError, postOverHttp, type HttpAnswer, type HttpTransport } from './http-transport';

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Connection never established: the provider cannot have received the request. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Parses a base URL from configuration; refuses credentials in it (they would leak into logs). */
export function parseEndpointUrl(value: string, what: string, variable?: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderConfigError(
      `${what} is not a valid URL: give an absolute http(s) URL such as https://sms.example.com/messages.`,
      variable,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderConfigError(`${what} must be an http:// or https:// URL.`, variable);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ProviderConfigError(`${what} must not contain a user name or password: pass credentials in headers instead.`, variable);
  }
  return url;
}

/** `https://host:port`: what error messages may say about an endpoint (no path, no query). */
export function originOf(url: string | URL): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
}

/**
 * POSTs and returns the answer whatever its status. Network failures and time-outs throw
 * {@link RetryableProviderError}; a request that cannot be built throws {@link ProviderConfigError}.
 * `transport` replaces the HTTP client (tests answer with canned answers).
 */
export async function post(
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number; label: string; transport?: HttpTransport },
): Promise<HttpAnswer> {
  try {
    return await (init.transport ?? postOverHttp)(url, { headers: init.headers, body: init.body, timeoutMs: init.timeoutMs });
  } catch (err) {
    throw networkFailure(err, init.label, init.timeoutMs);
  }
}

function networkFailure(err: unknown, label: string, timeoutMs: number): RetryableProviderError | ProviderConfigError {
  // The request could not even be built (e.g. a header value with a line break). Its text may quote
  // a header value, so it is not repeated.
  if (err instanceof RequestBuildError)
    return new ProviderConfigError(`Could not build the request to ${label} (${err.message}): check the configured URL and headers.`);
  if (err instanceof DeadlineError) {
    return new RetryableProviderError(`${label} did not answer within ${timeoutMs} ms`, { outcomeUnknown: true, cause: err });
  }
  const code = errorCode(err);
  if (code !== undefined && NOT_CONNECTED_CODES.has(code)) {
    return new RetryableProviderError(`Could not connect to ${label} (${code})`, { outcomeUnknown: false, cause: err });
  }
  // Anything else broke the exchange after the request may have left: the provider may have acted on it.
  return new RetryableProviderError(`Request to ${label} failed (${code ?? 'network error'})`, { outcomeUnknown: true, cause: err });
}

/** The first `code` along the error and its causes. */
function errorCode(err: unknown): string | undefined {
  for (let current = asObject(err), depth = 0; current && depth < 5; current = asObject(current.cause), depth++) {
    if (typeof current.code === 'string') return current.code;
  }
  return undefined;
}

/** Errors may come from another realm (e.g. a test sandbox), where `instanceof Error` is false. */
function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** 408, 425, 429 and 5xx: worth retrying later. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export function transientStatusError(response: HttpAnswer, label: string): RetryableProviderError {
  return new RetryableProviderError(`${label} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, {
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    // 500/502/504 may come after the provider acted on the request; 408/425/429/503 mean it did not.
    outcomeUnknown: response.status === 500 || response.status === 502 || response.status === 504,
  });
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The body as JSON, or undefined when it is empty, not JSON, or cannot be read. */
export async function readJson(response: HttpAnswer): Promise<unknown> {
  try {
    const text = await response.text();
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
