/**
 * `npm run chaos` judges a round's cancel by what the client answered: a cancel refused because the sending had
 * already completed expects a completed sending (chaos seed 18683 round 5 was reported broken for it); any other
 * refusal is a violation.
 */
import { checkRound, type RoundFacts } from '../../bench/chaos/invariants';
import type { SnapshotRow } from '../../worker/directory/directory';
import type { SendingStatus } from '../../workflows/messages';

const rows = [{ seq: 1, e164: '+15145550001', state: 'sent' }] as SnapshotRow[];
const ledger = [{ to: '+15145550001', at: 1_000 }] as RoundFacts['ledger'];
const ended = (state: SendingStatus['state']) =>
  ({
    state,
    progress: { sent: 1, failed: 0, unknown: 0, skipped: 0, held: 0, pending: 0, total: 1, cursor: 1 },
  }) as unknown as SendingStatus;
const cancelAsked = { askedAtMs: 2_000, answeredAtMs: 2_050, boundMs: 30_000 };

/** A round with one recipient sent, a cancel asked, and a sending that ended completed. */
const violationsWhen = (cancelRefused: string | null) =>
  checkRound({ provider: 'twilio', rows, ledger, status: ended('completed'), cancelled: cancelAsked, cancelRefused }).violations;

describe('a round whose cancel was refused', () => {
  test('refused because the sending had completed: the round expects it completed', () => {
    expect(violationsWhen('Sending "s-1" is completed and can no longer change.')).toEqual([]);
  });

  test('refused for another reason: a violation that says why', () => {
    expect(violationsWhen('deadline exceeded')).toContain('the cancel failed: deadline exceeded');
  });

  test('answered: a sending that still completed is a violation', () => {
    expect(violationsWhen(null)).toContain('the sending ended completed, not cancelled');
  });
});
