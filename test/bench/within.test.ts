import { within } from '../../bench/support/within';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('a wait bounded by within()', () => {
  test('answers with the promise and leaves no timer behind to keep the process (or jest) alive', async () => {
    const before = timers();
    await expect(within(Promise.resolve('answer'), 60_000, 'no answer within a minute')).resolves.toBe('answer');
    await expect(within(Promise.reject(new Error('refused')), 60_000, 'no answer within a minute')).rejects.toThrow('refused');
    expect(timers()).toBe(before);
  });

  test('fails with its message when the promise does not settle in time', async () => {
    await expect(within(new Promise(() => undefined), 20, 'the worker did not stop within a minute')).rejects.toThrow(
      'the worker did not stop within a minute',
    );
  });
});
