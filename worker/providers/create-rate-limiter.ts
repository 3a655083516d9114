/** The worker's rate limiter from its settings: shared by every worker on the directory, or this process's own. */
import type { ProviderConfig } from './create-provider';
import type { DirectoryConfig } from '../directory/open-directory';
import { openRateLimitSlots } from '../directory/rate-limit-slots';
import { createRateLimiter, createSlotLimiter, isUnlimited, type RateLimiter } from './rate-limiter';

export type RateLimitScope = 'directory' | 'worker';

export interface RateLimitSettings {
  /** Messages per second; 0: no limit. */
  perSecond: number;
  scope: RateLimitScope;
  /** Workers with the same key share one limit; default: derived from the provider (`rateLimitKey`). */
  key?: string;
}

/** One provider account, one key: `outbox`, `twilio:<account SID>`, `http:<origin + path of the URL>` (no query, no credentials). */
export function rateLimitKey(provider: ProviderConfig): string {
  switch (provider.kind) {
    case 'twilio':
      return `twilio:${provider.accountSid}`;
    case 'http': {
      const url = new URL(provider.url);
      return `http:${url.origin}${url.pathname}`;
    }
    default:
      return provider.kind;
  }
}

export function openRateLimiter(settings: RateLimitSettings, directory: DirectoryConfig, provider: ProviderConfig): RateLimiter {
  if (isUnlimited(settings.perSecond)) return createRateLimiter(0);
  if (settings.scope === 'worker') return createRateLimiter(settings.perSecond);
  return createSlotLimiter(settings.perSecond, openRateLimitSlots(directory, settings.key ?? rateLimitKey(provider)));
}

/** For the worker's start line. */
export function describeRateLimit(settings: RateLimitSettings, provider: ProviderConfig): string {
  if (isUnlimited(settings.perSecond)) return 'rate limit: none';
  if (settings.scope === 'worker') return `rate limit: ${settings.perSecond}/s for this worker`;
  return `rate limit: ${settings.perSecond}/s shared by the workers on this directory (key ${settings.key ?? rateLimitKey(provider)})`;
}
