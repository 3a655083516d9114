/** The one interface every SMS provider implements (outbox, Twilio, generic HTTP). */

export interface OutgoingSms {
  /** E.164 number. */
  to: string;
  /** Sender id (alphanumeric or a number); null lets the provider use its configured default. */
  from: string | null;
  body: string;
  /** Stable for one (sending, recipient) message: the same on every retry. */
  idempotencyKey: string;
  sendingId: string;
  seq: number;
  /** The sending's project: where the message's delivery receipts are posted (`/receipts/<projectId>`). */
  projectId?: string;
}

/** `code`: the provider's error code when it gives one (Twilio: `21610`), used to quarantine numbers. */
export type ProviderResult = { status: 'sent'; providerMessageId: string } | { status: 'rejected'; reason: string; code?: string };

export interface SmsProvider {
  readonly name: string;
  /** True when resending with the same idempotencyKey cannot produce a second message. */
  readonly idempotent: boolean;
  /**
   * Resolves `sent` or `rejected` (permanent, for this recipient); throws {@link RetryableProviderError} for
   * transient failures and {@link ProviderAccountError} when the account or its configuration is refused.
   */
  send(sms: OutgoingSms): Promise<ProviderResult>;
  /** Called once the message's `sent` state is recorded: the outbox simulates its delivery receipt here. */
  afterSent?(sms: OutgoingSms, providerMessageId: string): Promise<void>;
}

/** A transient failure (429, 5xx, network, time-out): the message may be retried later. */
export class RetryableProviderError extends Error {
  /** How long the provider asked to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
  /**
   * True when the request may have reached the provider and been acted on (time-out, connection
   * reset, 500/502/504): with a provider that is not idempotent, a retry may send a second message.
   */
  readonly outcomeUnknown: boolean;

  constructor(message: string, options: { retryAfterMs?: number; outcomeUnknown?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableProviderError';
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/** A provider's configuration is missing or wrong; `variable` names the environment variable when it came from one. */
export class ProviderConfigError extends Error {
  readonly variable?: string;

  constructor(message: string, variable?: string) {
    super(message);
    this.name = 'ProviderConfigError';
    if (variable !== undefined) this.variable = variable;
  }
}

/**
 * The provider refused the account or its configuration, not this recipient (credentials revoked, account
 * suspended, a sender the account may not use): no message can go until an operator fixes it, and the
 * provider did not take this one. `code`: the provider's error code when it gave one.
 */
export class ProviderAccountError extends Error {
  readonly code?: string;

  constructor(message: string, code?: string) {
    super(message);
    this.name = 'ProviderAccountError';
    if (code !== undefined) this.code = code;
  }
}
