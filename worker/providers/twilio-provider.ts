/**
 * Twilio Programmable Messaging: POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json.
 * Twilio offers no idempotency key for this call, so a retry after an unknown outcome may send twice.
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
import type { HttpAnswer, HttpTransport } from './http-transport';
import { isAccountErrorCode, isAccountStatus } from './account-errors';
import { ProviderAccountError, ProviderConfigError, type OutgoingSms, type ProviderResult, type SmsProvider } from './provider';

export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';

export interface TwilioConfig {
  accountSid: string;
  /** The account's auth token; or authenticate with an API key (`apiKeySid` + `apiKeySecret`). */
  authToken?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  /** Default sender (number or alphanumeric id) when a message has none. */
  from?: string;
  /** Send through a Messaging Service (Twilio picks the sender from its pool when `From` is absent). */
  messagingServiceSid?: string;
  /** Default https://api.twilio.com; point it at a test double or a regional edge. */
  baseUrl?: string;
  timeoutMs?: number;
  /**
   * The worker's endpoint root as Twilio reaches it (TWILIO_STATUS_CALLBACK_URL, = INBOUND_PUBLIC_URL): each message
   * asks for status callbacks at `<root>/receipts/<projectId>`. Unset: receipts only through the Messaging Service's own setting.
   */
  statusCallbackUrl?: string;
}

export function createTwilioProvider(config: TwilioConfig, options: { transport?: HttpTransport } = {}): SmsProvider {
  const { endpoint, authorization } = checkConfig(config);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const label = `Twilio (${originOf(endpoint)})`;
  const statusCallbackRoot = config.statusCallbackUrl
    ? parseEndpointUrl(
        config.statusCallbackUrl,
        'The Twilio status callback URL (TWILIO_STATUS_CALLBACK_URL)',
        'TWILIO_STATUS_CALLBACK_URL',
      )
        .toString()
        .replace(/\/+$/, '')
    : undefined;

  return {
    name: 'twilio',
    idempotent: false,
    async send(sms: OutgoingSms): Promise<ProviderResult> {
      const form = new URLSearchParams({ To: sms.to, Body: sms.body });
      const from = sms.from ?? config.from;
      if (from) form.set('From', from);
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      if (statusCallbackRoot && sms.projectId)
        form.set('StatusCallback', `${statusCallbackRoot}/receipts/${encodeURIComponent(sms.projectId)}`);

      const response = await post(endpoint, {
        headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        timeoutMs,
        label,
        transport: options.transport,
      });
      if (isTransientStatus(response.status)) {
        throw transientStatusError(response, label);
      }
      const json = await readJson(response);
      if (response.ok) {
        const sid = isRecord(json) && typeof json.sid === 'string' ? json.sid : undefined;
        // The message was created even if the answer cannot be read: never report it as failed.
        return { status: 'sent', providerMessageId: sid ?? `twilio:unreadable-response:${sms.idempotencyKey}` };
      }
      const code = isRecord(json) && json.code !== undefined && json.code !== null ? String(json.code) : undefined;
      if (isAccountStatus(response.status) || isAccountErrorCode(code))
        throw new ProviderAccountError(`${label} refused the account: ${twilioReason(json, response)}`, code);
      return { status: 'rejected', reason: twilioReason(json, response), ...(code ? { code } : {}) };
    },
  };
}

/** `21211: The 'To' number +1555 is not a valid phone number.` */
function twilioReason(json: unknown, response: HttpAnswer): string {
  if (isRecord(json) && typeof json.message === 'string') {
    return json.code !== undefined && json.code !== null ? `${String(json.code)}: ${json.message}` : json.message;
  }
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

function checkConfig(config: TwilioConfig): { endpoint: string; authorization: string } {
  if (!config.accountSid) throw new ProviderConfigError('Twilio needs the account SID (ACxxxxxxxx…).');
  const useApiKey = Boolean(config.apiKeySid || config.apiKeySecret);
  if (useApiKey && !(config.apiKeySid && config.apiKeySecret)) {
    throw new ProviderConfigError('Twilio API key authentication needs both the API key SID and its secret.');
  }
  if (!useApiKey && !config.authToken) {
    throw new ProviderConfigError('Twilio needs the auth token, or an API key SID and secret.');
  }
  if (!config.from && !config.messagingServiceSid) {
    throw new ProviderConfigError('Twilio needs a default sender: a From number (or alphanumeric id) or a Messaging Service SID.');
  }
  const base = parseEndpointUrl(config.baseUrl ?? TWILIO_DEFAULT_BASE_URL, 'The Twilio base URL');
  const basePath = base.pathname.replace(/\/+$/, '');
  const endpoint = `${base.origin}${basePath}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const [user, secret] = useApiKey ? [config.apiKeySid, config.apiKeySecret] : [config.accountSid, config.authToken];
  const authorization = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
  return { endpoint, authorization };
}
