/**
 * What must hold after a round, checked against the provider's own ledger: nobody twice; with an idempotent
 * provider everybody exactly once; with Twilio every recipient sent, failed or unknown (and listed); the
 * directory's counts equal the ledger; the final state is the right one; nothing started after a cancel.
 */
import type { SnapshotRow } from '../../worker/directory/directory';
import type { SendingStatus } from '../../workflows/messages';
import type { AcceptedMessage } from '../../test/support/fake-provider/ledger';
import type { ProviderKind } from './stack';

export interface RoundFacts {
  provider: ProviderKind;
  rows: SnapshotRow[];
  ledger: AcceptedMessage[];
  status: SendingStatus;
  /** When the cancel was asked and answered, and how long it may take (the provider's time-out + 2 s; more when a worker died just before or during it). */
  cancelled: { askedAtMs: number; answeredAtMs: number; boundMs: number } | null;
  /** The cancel's error when it was not answered; null when it was (or none was asked). */
  cancelRefused: string | null;
}

/** What the client says to a cancel of a sending that had completed before it (SendingClient.update). */
const ENDED_BEFORE_THE_CANCEL = /is completed and can no longer change/;

export interface RoundVerdict {
  /** Recipients who got the message more than once. */
  twice: number;
  /** Recipients left without a final state, or sent without the provider having it, or (idempotent) not sent. */
  lost: number;
  unknown: number;
  violations: string[];
}

export function checkRound(roundFacts: RoundFacts): RoundVerdict {
  const violations: string[] = [];
  // A cancel asked just after the last message settled meets a completed sending: refused, rightly.
  const refused = roundFacts.cancelRefused;
  const endedFirst = refused !== null && roundFacts.status.state === 'completed' && ENDED_BEFORE_THE_CANCEL.test(refused);
  if (refused !== null && !endedFirst) violations.push(`the cancel failed: ${refused}`);
  const facts = endedFirst ? { ...roundFacts, cancelled: null } : roundFacts;
  const perNumber = new Map<string, number>();
  for (const m of facts.ledger) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
  const twice = [...perNumber.values()].filter((n) => n > 1).length;
  if (twice > 0) violations.push(`${twice} recipient(s) got the message more than once`);

  const byState = (state: SnapshotRow['state']) => facts.rows.filter((row) => row.state === state);
  const expectedEnd = facts.cancelled ? 'cancelled' : 'completed';
  if (facts.status.state !== expectedEnd) violations.push(`the sending ended ${facts.status.state}, not ${expectedEnd}`);

  let lost = 0;
  const open = facts.rows.filter(
    (row) => row.state === 'dispatching' || (!facts.cancelled && (row.state === 'pending' || row.state === 'held')),
  );
  if (open.length > 0) violations.push(`${open.length} recipient(s) left ${[...new Set(open.map((r) => r.state))].join('/')}`);
  lost += open.length;
  const sentNotAtProvider = byState('sent').filter((row) => !perNumber.has(row.e164));
  if (sentNotAtProvider.length > 0) violations.push(`${sentNotAtProvider.length} recipient(s) marked sent that the provider does not have`);
  lost += sentNotAtProvider.length;
  const atProviderNotRecorded = facts.rows.filter((row) => perNumber.has(row.e164) && row.state !== 'sent' && row.state !== 'unknown');
  if (atProviderNotRecorded.length > 0)
    violations.push(
      `${atProviderNotRecorded.length} recipient(s) the provider has that the directory says ${[...new Set(atProviderNotRecorded.map((r) => r.state))].join('/')}`,
    );
  const failed = byState('failed');
  if (failed.length > 0) violations.push(`${failed.length} recipient(s) failed although the provider refused nobody`);
  lost += failed.length;
  const unknown = byState('unknown').length;
  if (facts.provider === 'http' && unknown > 0 && !facts.cancelled) {
    violations.push(`${unknown} recipient(s) unknown with an idempotent provider`);
    lost += unknown;
  }

  const p = facts.status.progress;
  const count = (state: SnapshotRow['state']) => byState(state).length;
  if (p.sent !== count('sent') || p.failed !== count('failed') || p.unknown !== count('unknown') || p.skipped !== count('skipped')) {
    violations.push(
      `the status says sent ${p.sent}, failed ${p.failed}, unknown ${p.unknown}, skipped ${p.skipped}; the directory ${count('sent')}, ${count('failed')}, ${count('unknown')}, ${count('skipped')}`,
    );
  }

  if (facts.cancelled) {
    const { askedAtMs, answeredAtMs, boundMs } = facts.cancelled;
    if (answeredAtMs - askedAtMs > boundMs) violations.push(`the cancel took ${answeredAtMs - askedAtMs} ms (bound: ${boundMs} ms)`);
    const after = facts.ledger.filter((m) => m.at > answeredAtMs).length;
    if (after > 0) violations.push(`${after} message(s) reached the provider after the cancel answered`);
  }
  return { twice, lost, unknown, violations };
}
