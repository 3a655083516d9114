/**
 * Which sendings count as newcomers on a limit: those first seen waiting less than `newcomerMs` ago,
 * and those that come back after not waiting for as long.
 */
import { NEWCOMER_WEIGHT, newcomers } from '../../worker/providers/newcomers';
import { manualClock } from '../support/manual-clock';

describe('newcomers', () => {
  it('weighs a sending as a newcomer from when it is first seen waiting until newcomerMs later, while it keeps waiting', () => {
    const clock = manualClock();
    const seen = newcomers(clock, 1000);
    expect(seen.weightOf('big')).toBe(NEWCOMER_WEIGHT);
    seen.saw(['big']);
    for (let i = 0; i < 9; i++) {
      clock.advance(100);
      seen.saw(['big']);
    }
    expect(seen.weightOf('big')).toBe(NEWCOMER_WEIGHT);
    clock.advance(100);
    seen.saw(['big', 'small']);
    expect(seen.weightOf('big')).toBe(1);
    expect(seen.weightOf('small')).toBe(NEWCOMER_WEIGHT);
  });

  it('keeps the age of a sending over a gap shorter than newcomerMs, and makes it a newcomer again after a longer one', () => {
    const clock = manualClock();
    const seen = newcomers(clock, 1000);
    seen.saw(['big']);
    clock.advance(600);
    seen.saw(['big']);
    // 900 ms without waiting (between two batches): still the sending first seen 1.5 s ago.
    clock.advance(900);
    seen.saw(['big']);
    expect(seen.weightOf('big')).toBe(1);
    // 1 s without waiting (paused, or a later run): a newcomer again.
    clock.advance(1000);
    seen.saw(['big']);
    expect(seen.weightOf('big')).toBe(NEWCOMER_WEIGHT);
  });
});
