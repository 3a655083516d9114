/**
 * Rounds of `npm run chaos` with a fixed plan, on both stores and both kinds of provider: every fault the
 * provider can play at once (429 with short and long Retry-After, 5xx, hangs and resets before and after
 * accepting, late answers), a worker killed with SIGKILL, the Temporal server killed and started again,
 * an operator's pause and resume, a revoked key, and a cancel; the invariants checked against the ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoundPlan } from '../../bench/chaos/plan';
import { playRound } from '../../bench/chaos/round';
import { startChaosStack, type ChaosStack } from '../../bench/chaos/stack';
import type { Scenario } from '../support/fake-provider/scenario';

const EVERY_FAULT: Scenario = {
  seed: 42,
  faults: [
    { when: { fraction: 0.02 }, fault: { kind: 'status', status: 503 } },
    { when: { fraction: 0.04 }, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } },
    { when: { fraction: 0.005 }, fault: { kind: 'status', status: 429, retryAfterSeconds: 5 } },
    { when: { fraction: 0.02 }, fault: { kind: 'status', status: 502 } },
    { when: { fraction: 0.005 }, fault: { kind: 'hang', stage: 'after-accept' } },
    { when: { fraction: 0.005 }, fault: { kind: 'hang', stage: 'before-accept' } },
    { when: { fraction: 0.008 }, fault: { kind: 'reset', stage: 'after-accept' } },
    { when: { fraction: 0.008 }, fault: { kind: 'reset', stage: 'before-accept' } },
    { when: { fraction: 0.005 }, fault: { kind: 'late', afterMs: 3500 } },
  ],
  latency: { kind: 'uniform', minMs: 2, maxMs: 30 },
};

const plan = (round: number, store: RoundPlan['store'], provider: RoundPlan['provider'], extra: RoundPlan['events'] = []): RoundPlan => ({
  round,
  store,
  provider,
  recipients: 600,
  laterMs: null,
  faulty: EVERY_FAULT,
  faultyForMs: 12_000,
  events: [
    { atMs: 1500, kind: 'killWorker', downMs: 1000 },
    { atMs: 3000, kind: 'restartServer', downMs: 1500 },
    { atMs: 6000, kind: 'pause', forMs: 1500 },
    { atMs: 9000, kind: 'revokeKey', forMs: 1500 },
    ...extra,
  ],
});

describe('chaos rounds with every fault', () => {
  let data: string;
  let stack: ChaosStack;
  const log: string[] = [];

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'sms-chaos-test-'));
    stack = await startChaosStack(data);
  }, 180_000);
  afterEach(() => {
    // What the round did, for the reader of a failure.
    if (log.length) process.stdout.write(`${log.splice(0).join('\n')}\n`);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(data, { recursive: true, force: true });
  });

  test.each([
    ['sqlite', 'twilio'],
    ['postgres', 'twilio'],
    ['sqlite', 'http'],
    ['postgres', 'http'],
  ] as const)(
    '%s, %s provider: nobody twice, nobody lost, the counts equal the ledger',
    async (store, provider) => {
      const result = await playRound(stack, plan(0, store, provider), (line) => log.push(line));
      expect({ violations: result.violations, endedAs: result.endedAs }).toEqual({ violations: [], endedAs: 'completed' });
      expect(result).toMatchObject({ twice: 0, lost: 0, messages: 600 });
      if (provider === 'http') expect(result.unknown).toBe(0);
    },
    300_000,
  );

  test('cancel in the middle of the faults: answered within its bound, and nothing reaches the provider after it', async () => {
    const result = await playRound(stack, plan(0, 'postgres', 'twilio', [{ atMs: 11_000, kind: 'cancel' }]), (line) => log.push(line));
    expect({ violations: result.violations, endedAs: result.endedAs }).toEqual({ violations: [], endedAs: 'cancelled' });
    expect(result.twice).toBe(0);
  }, 300_000);
});
