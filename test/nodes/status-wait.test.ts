/**
 * Send SMS's Wait for Completion (SendingClient.waitFor) asks the workflow for its status after 250 ms,
 * then twice as long each time up to 2 s: every query is a billed Temporal Action, so a long wait must
 * not ask four times a second. The workflow's status query is played by a stand-in that records when it
 * was asked.
 */
import type { Client } from '@temporalio/client';
import { SendingClient, WAIT_POLL_MAX_MS } from '../../client/sending-client';

function clientAnswering(states: string[]): { client: Client; askedAt: number[] } {
  const askedAt: number[] = [];
  const handle = {
    // A running workflow: its status comes from the query (an ended one's would come from its result).
    describe: async () => ({ status: { name: 'RUNNING' } }),
    query: async () => {
      askedAt.push(Date.now());
      return { sendingId: 's1', state: states[Math.min(askedAt.length - 1, states.length - 1)] };
    },
  };
  return { client: { workflow: { getHandle: () => handle } } as unknown as Client, askedAt };
}

describe('waiting for a sending polls its status less and less often', () => {
  it('250 ms, 500 ms, 1 s, 2 s, then every 2 s', async () => {
    const { client, askedAt } = clientAnswering(['sending', 'sending', 'sending', 'sending', 'sending', 'sending', 'completed']);
    const status = await new SendingClient(client, 'q').waitFor('s1', ['completed'], { timeoutMs: 60_000 });
    expect(status.state).toBe('completed');
    const gaps = askedAt.slice(1).map((at, i) => at - askedAt[i]);
    expect(gaps).toHaveLength(6);
    const expected = [250, 500, 1000, 2000, 2000, 2000];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i] - 5);
      expect(gap).toBeLessThan(expected[i] + 400);
    });
    expect(WAIT_POLL_MAX_MS).toBe(2000);
  }, 30_000);

  it('an end reached at once is seen by the first query', async () => {
    const { client, askedAt } = clientAnswering(['completed']);
    await new SendingClient(client, 'q').waitFor('s1', ['completed']);
    expect(askedAt).toHaveLength(1);
  });
});
