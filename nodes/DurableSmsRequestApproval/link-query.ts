/**
 * The approval link's query, read from the raw request URL. n8n (2.40.7, waiting-webhooks) checks the
 * HMAC over the path and the query as URLSearchParams re-serializes it after dropping *every*
 * `signature` and using the first; the node, though, is handed express's `qs` parse of the query
 * (repeated keys merged into arrays, only the first 1000 parameters). So what n8n authenticates and what
 * a node reads can differ: today in the `signature` parameter (repeatable, unsigned), tomorrow in
 * whatever n8n changes. Only a query shaped exactly like a link Request Approval issued is accepted,
 * and the node acts on these values alone. Pure.
 */
export interface LinkQuery {
  sendingId: string;
  hash: string;
  signature: string;
  /** The named approver the link was signed for; absent on a link for anyone (typed name). */
  approver?: string;
}

export type LinkQueryCheck = { ok: true; query: LinkQuery } | { ok: false; reason: string };

/** Every key a link carries: what Request Approval passes to getSignedResumeUrl, and n8n's signature. */
const REQUIRED = ['sendingId', 'hash', 'signature'] as const;
const OPTIONAL = ['approver'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL]);

/** `url`: the request's URL as received (path and query), e.g. express's `req.originalUrl`. */
export function checkLinkQuery(url: string): LinkQueryCheck {
  const at = url.indexOf('?');
  const raw = at < 0 ? '' : url.slice(at + 1).split('#')[0];
  const values = new Map<string, string>();
  const parts = raw.split('&');
  if (parts.length > KNOWN.size)
    return { ok: false, reason: `the link has ${parts.length} query parameters; a real link has at most ${KNOWN.size}` };
  for (const part of parts) {
    // Decoded the way a browser form decodes it, so `appr%6Fver` and `approver` are one key.
    const entries = [...new URLSearchParams(part).entries()];
    if (entries.length !== 1) return { ok: false, reason: `the query part "${part.slice(0, 40)}" is not one key=value pair` };
    const [key, value] = entries[0];
    if (!KNOWN.has(key)) return { ok: false, reason: `the link carries an unexpected parameter "${key.slice(0, 40)}"` };
    if (values.has(key)) return { ok: false, reason: `the link carries "${key}" more than once` };
    values.set(key, value);
  }
  for (const key of REQUIRED) {
    if (!values.get(key)) return { ok: false, reason: `the link has no "${key}"` };
  }
  const approver = values.get('approver');
  if (approver !== undefined && !approver.trim()) return { ok: false, reason: 'the link\'s "approver" is empty' };
  return {
    ok: true,
    query: {
      sendingId: values.get('sendingId')!,
      hash: values.get('hash')!,
      signature: values.get('signature')!,
      ...(approver !== undefined ? { approver } : {}),
    },
  };
}
