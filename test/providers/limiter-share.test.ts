/**
 * How much of a provider-wide limit a worker's limiter reserves, from the sendings waiting on it and on
 * the other workers: each sending waiting anywhere gets an equal part, split between the workers it waits on.
 */
import { EQUAL_SHARE, shareOf } from '../../worker/providers/limiter-share';

describe('shareOf', () => {
  it('gives a worker alone, or workers with the same sendings, one block each', () => {
    expect(shareOf(['big'], [])).toBe(EQUAL_SHARE);
    expect(shareOf(['big', 'small'], [[]])).toBe(EQUAL_SHARE);
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
});
