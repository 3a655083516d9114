/**
 * Twilio's request signature (`X-Twilio-Signature`), per Twilio's "Webhooks security" docs: the
 * full URL Twilio called (scheme, host, path and query), followed by every POST parameter sorted by
 * name as name + value with no separators, HMAC-SHA1 with the account auth token as key, base64.
 * A JSON body is not a list of parameters: Twilio signs the URL alone and puts the body's SHA-256
 * (hex) in the URL as `bodySHA256`, so the body is covered only through that parameter.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Form parameters in the order received; a name may repeat. */
export type FormParams = Iterable<readonly [string, string]>;

/** The signature Twilio sends for `url` and these parameters. */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  return createHmac('sha1', authToken).update(signedText(url, params), 'utf8').digest('base64');
}

/**
 * True when `signature` is Twilio's for this URL and parameters. The URL is also tried with the
 * scheme's default port added and removed (Twilio signs the URL as configured, and some proxies
 * add or drop `:443`), as Twilio's own helper libraries do. Constant-time comparison.
 */
export function isValidTwilioSignature(authToken: string, signature: string | undefined, url: string, params: FormParams): boolean {
  if (!authToken || !signature) return false;
  const given = Buffer.from(signature, 'base64');
  if (given.length !== 20) return false; // an SHA-1 digest
  const list = [...params];
  let valid = false;
  for (const candidate of urlVariants(url)) {
    const expected = createHmac('sha1', authToken).update(signedText(candidate, list), 'utf8').digest();
    // No early exit: every variant is computed and compared.
    if (timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}

function signedText(url: string, params: FormParams): string {
  // Sorted by name (code-unit order, as Twilio sorts), then by value for a repeated name.
  const sorted = [...params].sort(([a, av], [b, bv]) => compare(a, b) || compare(av, bv));
  return url + sorted.map(([name, value]) => name + value).join('');
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const DEFAULT_PORTS: Record<string, string> = { https: '443', http: '80' };

/** The URL as given, with its scheme's default port written out, and without it. */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match;
  const defaultPort = DEFAULT_PORTS[scheme.toLowerCase()];
  const hostPort = /^(.*?)(?::(\d+))?$/s.exec(authority)!; // `[::1]:443` keeps its brackets in group 1
  const [, host, port] = hostPort;
  if (port !== undefined && port !== defaultPort) return [url];
  return [...new Set([url, `${scheme}://${host}:${defaultPort}${rest}`, `${scheme}://${host}${rest}`])];
}

/** Why a signed JSON body is not covered by its signature, or null when it is. */
export type JsonBodyProblem = 'noBodyHash' | 'signature' | 'bodyHashMismatch';

/**
 * Twilio's scheme for JSON bodies: the signature is over the URL alone (no parameters), and the URL's
 * `bodySHA256` is the hex SHA-256 of the exact body bytes. Without `bodySHA256` nothing covers the body.
 */
export function jsonBodySignatureProblem(
  authToken: string,
  signature: string | undefined,
  url: string,
  body: Buffer,
): JsonBodyProblem | null {
  const claimed = bodyHashOf(url);
  if (claimed === undefined) return 'noBodyHash';
  if (!isValidTwilioSignature(authToken, signature, url, [])) return 'signature';
  const actual = createHash('sha256').update(body).digest();
  const given = /^[0-9a-f]{64}$/i.test(claimed) ? Buffer.from(claimed, 'hex') : Buffer.alloc(0);
  return given.length === actual.length && timingSafeEqual(given, actual) ? null : 'bodyHashMismatch';
}

function bodyHashOf(url: string): string | undefined {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1).split('#')[0] : '';
  const values = new URLSearchParams(query).getAll('bodySHA256');
  // Twilio adds it once; two values would leave open which one was meant.
  return values.length === 1 ? values[0] : undefined;
}
