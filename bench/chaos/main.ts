/**
 * `npm run chaos [-- --minutes N] [-- --seed S] [-- --round R] [-- --store sqlite|postgres|both]`: sendings through real
 * workers, a real Temporal dev server and the fault-injection provider, on loopback only, round after
 * round until N minutes (default 5) have passed. Each round draws a fault schedule from the seed — 429s
 * with Retry-After, 5xx bursts, hangs, connection resets before and after accepting, late answers, a
 * revoked key — with a worker killed (SIGKILL) and the Temporal server killed and started again, and
 * sometimes an operator's pause or a cancel; then checks the invariants against the provider's ledger.
 * Prints one line per round and the totals; exits 1 when any invariant broke. `--round R` starts at the seed's
 * round R (as numbered in the output), to play a broken round again without the ones before it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describePlan, planRound } from './plan';
import { playRound } from './round';
import { startChaosStack } from './stack';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      seed: { type: 'string' },
      round: { type: 'string', default: '1' },
      store: { type: 'string', default: 'both' },
    },
  });
  const minutes = Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60)
    throw new Error(`--minutes=${values.minutes} is not a number of minutes between 0 and 1440: e.g. --minutes 5.`);
  const seed = values.seed === undefined ? Math.floor(Date.now() / 1000) % 100_000 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed=${values.seed} is not a whole number ≥ 0.`);
  const firstRound = Number(values.round);
  if (!Number.isInteger(firstRound) || firstRound < 1)
    throw new Error(`--round=${values.round} is not a round number ≥ 1: e.g. --round 19.`);
  const stores =
    values.store === 'both'
      ? (['sqlite', 'postgres'] as const)
      : values.store === 'sqlite' || values.store === 'postgres'
        ? ([values.store] as const)
        : null;
  if (!stores) throw new Error(`--store=${values.store} is not sqlite, postgres or both.`);

  const data = mkdtempSync(join(tmpdir(), 'sms-chaos-'));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`[chaos] seed ${seed} (replay this run with --seed ${seed}), ${minutes} min, stores ${stores.join(' and ')}; data in ${data}`);
  const stack = await startChaosStack(data);
  // Ctrl-C or a kill: the dev server runs in its own session, so it is stopped here with the rest.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`[chaos] ${signal}: stopping the workers, the provider and the dev server`);
      void stack.close().finally(() => {
        rmSync(data, { recursive: true, force: true });
        process.exit(1);
      });
    });
  }
  const deadline = Date.now() + minutes * 60_000;
  const totals = { rounds: 0, messages: 0, twice: 0, lost: 0, unknown: 0, broken: 0 };
  try {
    for (let round = firstRound - 1; Date.now() < deadline; round++) {
      const plan = planRound(seed, round, [...stores]);
      log(`[chaos] round ${round + 1}: ${describePlan(plan)}`);
      const result = await playRound(stack, plan, log);
      totals.rounds += 1;
      totals.messages += result.messages;
      totals.twice += result.twice;
      totals.lost += result.lost;
      totals.unknown += result.unknown;
      if (result.violations.length > 0) totals.broken += 1;
      log(
        `[chaos] round ${round + 1}: ${result.endedAs} in ${result.seconds} s, ${result.messages} recipients, sent twice ${result.twice}, lost ${result.lost}, unknown ${result.unknown}` +
          (result.violations.length
            ? ` — BROKEN: ${result.violations.join('; ')} (sending ${result.sendingId}; play it again with --seed ${seed} --round ${round + 1} --store ${values.store})`
            : ' — invariants hold'),
      );
    }
  } finally {
    await stack.close();
    rmSync(data, { recursive: true, force: true });
  }
  log(
    `[chaos] ${totals.rounds} round(s), ${totals.messages} recipients: ${totals.twice} sent twice, ${totals.lost} lost, ${totals.unknown} unknown (listed, Twilio only); invariants ${totals.broken === 0 ? 'held in every round' : `BROKEN in ${totals.broken} round(s)`}`,
  );
  return totals.broken === 0 && totals.rounds > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[chaos] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
