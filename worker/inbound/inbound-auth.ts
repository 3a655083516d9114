/**
 * Who may post to the inbound endpoint: Twilio (a valid X-Twilio-Signature, when TWILIO_AUTH_TOKEN
 * is configured) or a caller holding INBOUND_TOKEN (`Authorization: Bearer <token>` or
 * `?token=<token>`). Either is enough when both are configured. Comparisons are constant-time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isValidTwilioSignature, type FormParams } from './twilio-signature';

export interface InboundAuthSettings {
  token?: string;
  twilioAuthToken?: string;
  /** Public address of the endpoint root as Twilio calls it (no trailing slash). */
  publicUrl?: string;
}

export type AuthenticatedBy = 'token' | 'twilio';

export interface InboundRequestFacts {
  /** The request target as received: path and query, e.g. `/inbound/acme?token=…`. */
  target: string;
  headers: IncomingHttpHeaders;
  /** Form parameters (empty for a JSON body). */
  params: FormParams;
}

/** How the request proved itself, or null. */
export function authenticate(settings: InboundAuthSettings, request: InboundRequestFacts): AuthenticatedBy | null {
  if (settings.token && tokenMatches(settings.token, presentedTokens(request))) return 'token';
  const signature = header(request.headers, 'x-twilio-signature');
  if (settings.twilioAuthToken && settings.publicUrl && signature) {
    const url = `${settings.publicUrl}${request.target}`;
    if (isValidTwilioSignature(settings.twilioAuthToken, signature, url, request.params)) return 'twilio';
  }
  return null;
}

/** A sentence for the 401 answer saying what this endpoint accepts (never the secrets). */
export function authHint(settings: InboundAuthSettings): string {
  const ways = [
    ...(settings.twilioAuthToken ? ["a valid X-Twilio-Signature (Twilio signs with the account's auth token; check that INBOUND_PUBLIC_URL is the address configured in Twilio)"] : []),
    ...(settings.token ? ['the shared token as "Authorization: Bearer <INBOUND_TOKEN>" or "?token=<INBOUND_TOKEN>"'] : []),
  ];
  return `Not authenticated: send ${ways.join(', or ')}.`;
}

function presentedTokens(request: InboundRequestFacts): string[] {
  const found: string[] = [];
  const authorization = header(request.headers, 'authorization');
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (bearer) found.push(bearer[1].trim());
  const query = request.target.includes('?') ? new URLSearchParams(request.target.slice(request.target.indexOf('?') + 1)) : undefined;
  const inQuery = query?.get('token');
  if (inQuery) found.push(inQuery);
  return found;
}

function tokenMatches(expected: string, presented: string[]): boolean {
  // Hashing first gives equal lengths, so timingSafeEqual compares without revealing the length.
  const want = sha256(expected);
  let ok = false;
  for (const candidate of presented) if (timingSafeEqual(want, sha256(candidate))) ok = true;
  return ok;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
