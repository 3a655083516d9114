/**
 * Who may post to the inbound endpoint: Twilio (a valid X-Twilio-Signature, when TWILIO_AUTH_TOKEN
 * is configured) or a caller holding INBOUND_TOKEN (`Authorization: Bearer <token>` or
 * `?token=<token>`). Either is enough when both are configured. Comparisons are constant-time.
 * A Twilio signature counts only over what it covers: a form body (URL + parameters), or a JSON body
 * through the URL's `bodySHA256`; a signature over the URL alone proves nothing about the message.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { InboundFormat } from './parse-inbound';
import { isValidTwilioSignature, jsonBodySignatureProblem, type FormParams, type JsonBodyProblem } from './twilio-signature';

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
  /** The body's format (undefined: neither form nor JSON). */
  format: InboundFormat | undefined;
  /** Form parameters (empty for a JSON body). */
  params: FormParams;
  /** The body as received (what `bodySHA256` is the hash of). */
  body: Buffer;
}

/** How the request proved itself, or why a Twilio signature it carries does not cover it (null: no proof at all). */
export type AuthVerdict = { by: AuthenticatedBy } | { by: null; refusal: string | null };

export function authenticate(settings: InboundAuthSettings, request: InboundRequestFacts): AuthVerdict {
  if (settings.token && tokenMatches(settings.token, presentedTokens(request))) return { by: 'token' };
  const signature = header(request.headers, 'x-twilio-signature');
  if (!settings.twilioAuthToken || !settings.publicUrl || !signature) return { by: null, refusal: null };
  const url = `${settings.publicUrl}${request.target}`;
  if (request.format === 'form') {
    return isValidTwilioSignature(settings.twilioAuthToken, signature, url, request.params)
      ? { by: 'twilio' }
      : { by: null, refusal: null };
  }
  if (request.format === 'json') {
    const problem = jsonBodySignatureProblem(settings.twilioAuthToken, signature, url, request.body);
    return problem === null ? { by: 'twilio' } : { by: null, refusal: problem === 'signature' ? null : JSON_REFUSALS[problem] };
  }
  return { by: null, refusal: NOT_COVERED };
}

const NOT_COVERED =
  "X-Twilio-Signature covers only a form-encoded body (Twilio's inbound message webhook) or a JSON body whose SHA-256 is in the URL as bodySHA256.";

const JSON_REFUSALS: Record<Exclude<JsonBodyProblem, 'signature'>, string> = {
  noBodyHash:
    "X-Twilio-Signature does not cover this JSON body: for JSON, Twilio signs the URL alone and covers the body with one bodySHA256 parameter in the URL, and this URL has none (or has it twice). Post Twilio's inbound message webhook form-encoded.",
  bodyHashMismatch: 'The body is not the one Twilio signed: its SHA-256 differs from bodySHA256 in the URL.',
};

/** The 401 answer: why a signature was refused, if it was, and what this endpoint accepts (never the secrets). */
export function authRefusal(settings: InboundAuthSettings, refusal: string | null): string {
  return refusal ? `${refusal} ${authHint(settings)}` : authHint(settings);
}

function authHint(settings: InboundAuthSettings): string {
  const ways = [
    ...(settings.twilioAuthToken
      ? [
          "a valid X-Twilio-Signature (Twilio signs with the account's auth token; check that INBOUND_PUBLIC_URL is the address configured in Twilio)",
        ]
      : []),
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

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
