/**
 * A round of a chaos run, drawn from a seed: which store and provider, how many recipients, the faults the
 * provider plays while the round is faulty, and the events on a timeline (a worker killed, the Temporal
 * server killed, an operator's pause, a revoked key, a cancel).
 */
import { uniform } from '../../test/support/fake-provider/seeded-random';
import type { FaultRule, Scenario } from '../../test/support/fake-provider/scenario';
import type { ProviderKind } from './stack';

export type ChaosEvent =
  | { atMs: number; kind: 'killWorker'; downMs: number }
  | { atMs: number; kind: 'restartServer'; downMs: number }
  | { atMs: number; kind: 'pause'; forMs: number }
  | { atMs: number; kind: 'revokeKey'; forMs: number }
  | { atMs: number; kind: 'cancel' };

export interface RoundPlan {
  round: number;
  store: 'sqlite' | 'postgres';
  provider: ProviderKind;
  recipients: number;
  /** null: now; otherwise the send waits this long on a durable timer (the server restarts during it). */
  laterMs: number | null;
  faulty: Scenario;
  /** How long the provider plays `faulty` after the send; healthy afterwards. */
  faultyForMs: number;
  events: ChaosEvent[];
}

export function planRound(seed: number, round: number, stores: ('sqlite' | 'postgres')[]): RoundPlan {
  let draws = 0;
  const r = () => uniform(seed, round, draws++);
  const between = (min: number, max: number) => Math.round(min + r() * (max - min));
  const chance = (p: number) => r() < p;

  const faults: FaultRule[] = [];
  const add = (fraction: number, fault: FaultRule['fault']) => faults.push({ when: { fraction }, fault });
  if (chance(0.7)) add(0.04, { kind: 'status', status: 429, retryAfterSeconds: 1 });
  if (chance(0.4)) add(0.005, { kind: 'status', status: 429, retryAfterSeconds: between(3, 8) });
  if (chance(0.7)) add(0.03, { kind: 'status', status: [500, 502, 503, 504][between(0, 3)] });
  if (chance(0.5)) add(0.004, { kind: 'hang', stage: chance(0.5) ? 'before-accept' : 'after-accept' });
  if (chance(0.6)) add(0.01, { kind: 'reset', stage: chance(0.5) ? 'before-accept' : 'after-accept' });
  if (chance(0.5)) add(0.005, { kind: 'late', afterMs: 3500 });
  if (chance(0.3)) faults.unshift({ when: { next: between(15, 40) }, fault: { kind: 'status', status: 503 } });

  const laterMs = chance(0.2) ? 12_000 : null;
  const start = laterMs ?? 0;
  const events: ChaosEvent[] = [
    { atMs: start + between(1000, 6000), kind: 'killWorker', downMs: between(500, 3000) },
    laterMs !== null
      ? { atMs: between(2000, 6000), kind: 'restartServer', downMs: between(1000, 3000) }
      : { atMs: start + between(2000, 9000), kind: 'restartServer', downMs: between(1000, 3000) },
  ];
  if (chance(0.3)) events.push({ atMs: start + between(1000, 8000), kind: 'pause', forMs: between(1000, 4000) });
  if (chance(0.25)) events.push({ atMs: start + between(1000, 8000), kind: 'revokeKey', forMs: between(1000, 4000) });
  if (chance(0.15)) events.push({ atMs: start + between(2000, 10_000), kind: 'cancel' });
  events.sort((a, b) => a.atMs - b.atMs);

  return {
    round,
    store: stores[round % stores.length],
    provider: Math.floor(round / stores.length) % 2 === 0 ? 'twilio' : 'http',
    recipients: between(300, 900),
    laterMs,
    faulty: { seed: seed + round, faults, latency: { kind: 'uniform', minMs: 2, maxMs: between(10, 60) } },
    faultyForMs: start + between(10_000, 25_000),
    events,
  };
}

export function describePlan(plan: RoundPlan): string {
  const faults = (plan.faulty.faults ?? [])
    .map((f) => `${f.fault.kind}${'status' in f.fault ? ` ${f.fault.status}` : ''}${f.when?.next ? ` ×${f.when.next}` : ''}`)
    .join(', ');
  const events = plan.events.map((e) => `${e.kind}@${(e.atMs / 1000).toFixed(1)}s`).join(', ');
  return `${plan.store}/${plan.provider}, ${plan.recipients} recipients${plan.laterMs ? `, later +${plan.laterMs / 1000}s` : ''}; faults: ${faults || 'none'}; events: ${events}`;
}
