/**
 * The approval link's raw query guard: n8n verifies the signature over the raw URL but parses the query
 * with qs (first 1000 parameters, repeated keys merged), so only a query shaped exactly like an issued
 * link is accepted, and its values are the ones the node acts on.
 */
import { checkLinkQuery } from '../../nodes/DurableSmsRequestApproval/link-query';

const SIG = 'a'.repeat(64);
const base = `/webhook-waiting/42/node-1?sendingId=s-1&hash=h-1&approver=bea%40acme.test&signature=${SIG}`;

test('a named link and a link for anyone are read from the raw URL', () => {
  expect(checkLinkQuery(base)).toEqual({ ok: true, query: { sendingId: 's-1', hash: 'h-1', approver: 'bea@acme.test', signature: SIG } });
  expect(checkLinkQuery(`/webhook-waiting/42/node-1?sendingId=s-1&hash=h-1&signature=${SIG}`)).toEqual({
    ok: true,
    query: { sendingId: 's-1', hash: 'h-1', signature: SIG },
  });
});

test.each([
  [
    'a second signature (n8n drops every signature before checking the first)',
    `${base}&signature=${'0'.repeat(64)}`,
    /query parameters|"signature" more than once/,
  ],
  ['a repeated signature in place of another key', base.replace('hash=h-1', `signature=${'0'.repeat(64)}`), /"signature" more than once/],
  ['a repeated key', `${base}&approver=alex%40acme.test`, /"approver" more than once|query parameters/],
  ['a repeated key in place of another', base.replace('hash=h-1', 'approver=alex%40acme.test'), /"approver" more than once/],
  ['a repeated key spelled with a percent-escape', base.replace('hash=h-1', 'appr%6Fver=alex%40acme.test'), /"approver" more than once/],
  ['qs array syntax', base.replace('approver=', 'approver[]='), /unexpected parameter "approver\[\]"/],
  ['qs object syntax', base.replace('approver=', 'approver[x]='), /unexpected parameter/],
  ['an unexpected key', base.replace('hash=h-1', 'other=1'), /unexpected parameter "other"/],
  [
    'more parameters than a link (qs keeps only the first 1000)',
    `${'/w?' + Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&')}&${base.split('?')[1]}`,
    /1005 query parameters; a real link has at most 4/,
  ],
  ['an empty part', base.replace('&hash', '&&hash'), /at most 4|not one key=value/],
  ['no signature', base.replace(`&signature=${SIG}`, ''), /no "signature"/],
  ['no hash', base.replace('hash=h-1&', ''), /no "hash"/],
  ['an empty approver', base.replace('approver=bea%40acme.test', 'approver='), /"approver" is empty/],
  ['no query', '/webhook-waiting/42/node-1', /no "sendingId"|not one key=value/],
])('refused: %s', (_what, url, reason) => {
  const checked = checkLinkQuery(url);
  expect(checked.ok).toBe(false);
  expect(!checked.ok && checked.reason).toMatch(reason);
});
