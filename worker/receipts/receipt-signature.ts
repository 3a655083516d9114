/**
 * The http provider's receipt signature (docs/receipts.md): `X-Sms-Timestamp` is the Unix time in
 * seconds when the receipt was sent, `X-Sms-Signature` is `v1=` + hex HMAC-SHA256 over
 * `<timestamp>.<raw body>` with the shared secret (SMS_HTTP_RECEIPT_SECRET). A timestamp more than
 * five minutes from this server's clock is refused, so a captured receipt cannot be replayed later;
 * within the window a replay is a duplicate, which changes nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const RECEIPT_TOLERANCE_MS = 5 * 60_000;

export function receiptSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Null when the headers sign this body within the window, else why not (the 401 answer; never a secret). */
export function receiptSignatureProblem(secret: string, headers: IncomingHttpHeaders, body: Buffer, nowMs = Date.now()): string | null {
  const timestamp = single(headers['x-sms-timestamp']);
  const signature = single(headers['x-sms-signature']);
  if (!timestamp || !signature)
    return 'Send X-Sms-Timestamp (Unix seconds) and X-Sms-Signature (v1=<hex HMAC-SHA256 of "<timestamp>.<body>">).';
  if (!/^\d{1,12}$/.test(timestamp)) return 'X-Sms-Timestamp must be the Unix time in whole seconds.';
  const expected = Buffer.from(receiptSignature(secret, timestamp, body));
  const given = Buffer.from(signature.trim());
  const valid = given.length === expected.length && timingSafeEqual(given, expected);
  if (!valid)
    return 'X-Sms-Signature does not match: sign "<timestamp>.<body>" with SMS_HTTP_RECEIPT_SECRET (HMAC-SHA256, hex, prefixed v1=).';
  if (Math.abs(nowMs - Number(timestamp) * 1000) > RECEIPT_TOLERANCE_MS)
    return "X-Sms-Timestamp is more than 5 minutes from this server's clock: sign each receipt when it is sent (and check the clocks).";
  return null;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
