/**
 * How much of a provider-wide limit a worker's limiter reserves, from the sendings waiting on it and on
 * the other workers: each sending waiting anywhere gets a part by its weight, split between the workers it waits on.
 */
import { shareOf } from '../../worker/providers/limiter-share';

describe('shareOf', () => {
  it('gives a worker alone, or workers with the same sendings, one block each', () => {
    expect(shareOf(['big'], []).blocks).toBe(1);
    expect(shareOf(['big', 'small'], [[]]).blocks).toBe(1);
    expect(shareOf(['big', 'small'], [['small', 'big']]).blocks).toBe(1);
  });

  it('gives a worker running a small sending and part of a big one 3 blocks to 1 for the worker running the rest of the big one', () => {
    const both = shareOf(['small', 'big'], [['big']]);
    const bigOnly = shareOf(['big'], [['small', 'big']]);
    expect(both.blocks).toBe(1.5);
    expect(bigOnly.blocks).toBe(0.5);
    // On the first worker the small sending takes 2 turns for the big one's 1: half the limit in all.
    expect(both.weightOf('small')).toBe(1);
    expect(both.weightOf('big')).toBe(0.5);
    expect((both.blocks / (both.blocks + bigOnly.blocks)) * (1 / 1.5)).toBe(0.5);
  });

  it('gives a worker with one sending of two the same as a worker with the other, whatever their lanes', () => {
    expect(shareOf(['small', 'small'], [['big', 'big', 'big']]).blocks).toBe(1);
  });

  it('weighs a sending it has not heard of yet as one on this worker alone', () => {
    expect(shareOf(['big'], [['big']]).weightOf('new')).toBe(1);
  });

  it('gives a newcomer (weight 2) on the first worker 2/3 of the limit beside a big sending spread over both', () => {
    const weight = (key: string) => (key === 'small' ? 2 : 1);
    const both = shareOf(['small', 'big'], [['big']], weight);
    const bigOnly = shareOf(['big'], [['small', 'big']], weight);
    expect(both.blocks).toBeCloseTo(5 / 3);
    expect(bigOnly.blocks).toBeCloseTo(1 / 3);
    expect(both.weightOf('small')).toBe(2);
    expect(both.weightOf('big')).toBe(0.5);
    const smallOfFirst = both.weightOf('small') / (both.weightOf('small') + both.weightOf('big'));
    expect((both.blocks / (both.blocks + bigOnly.blocks)) * smallOfFirst).toBeCloseTo(2 / 3);
  });

  it("turns by the keys' weights on a worker alone", () => {
    const alone = shareOf(['small', 'big'], [[]], (key) => (key === 'small' ? 2 : 1));
    expect(alone.blocks).toBe(1);
    expect(alone.weightOf('small')).toBe(2);
    expect(alone.weightOf('big')).toBe(1);
  });
});
