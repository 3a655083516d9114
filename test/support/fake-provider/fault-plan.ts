/**
 * Decides, request by request, which fault a scenario's rules inject and how long the answer is
 * held back. Every random draw comes from (seed, rule, request index): the same scenario and the
 * same order of requests give the same faults.
 */
import { sampleLatency } from './latency';
import { uniform } from './seeded-random';
import type { Fault, FaultRule, Latency, MessagingApi } from './scenario';

export const DEFAULT_SEED = 1;
const LATENCY_STREAM = 0x4c41544e;

export interface RequestFacts {
  api: MessagingApi;
  /** The recipient, when the body names one. */
  to: string | null;
}

export interface Decision {
  /** 0 for the first request to a messaging API under this plan. */
  index: number;
  fault: Fault | null;
  /** How long the answer is held back (the scenario's latency; a `late` fault sets its own). */
  delayMs: number;
}

interface ActiveRule {
  rule: FaultRule;
  salt: number;
  matched: number;
}

export class FaultPlan {
  latency: Latency | undefined;
  private readonly active: ActiveRule[] = [];
  private nextSalt = 0;
  private requests = 0;

  constructor(
    readonly seed: number = DEFAULT_SEED,
    rules: readonly FaultRule[] = [],
    latency?: Latency,
  ) {
    this.latency = latency;
    for (const rule of rules) this.active.push(this.activate(rule));
  }

  get rules(): FaultRule[] {
    return this.active.map((a) => a.rule);
  }

  /** Puts a rule before the others; returns it for {@link remove}. */
  prepend(rule: FaultRule): FaultRule {
    this.active.unshift(this.activate(rule));
    return rule;
  }

  remove(rule: FaultRule): void {
    const at = this.active.findIndex((a) => a.rule === rule);
    if (at >= 0) this.active.splice(at, 1);
  }

  decide(request: RequestFacts): Decision {
    const index = this.requests++;
    const matched = this.active.find((a) => this.matches(a, request, index));
    if (matched) matched.matched++;
    const fault = matched?.rule.fault ?? null;
    const delayMs =
      fault?.kind === 'late' ? fault.afterMs : this.latency ? sampleLatency(this.latency, uniform(this.seed, LATENCY_STREAM, index)) : 0;
    return { index, fault, delayMs };
  }

  private matches({ rule, salt, matched }: ActiveRule, request: RequestFacts, index: number): boolean {
    const when = rule.when ?? {};
    if (when.api !== undefined && when.api !== request.api) return false;
    if (when.numbers !== undefined && (request.to === null || !when.numbers.includes(request.to))) return false;
    if (when.fraction !== undefined && uniform(this.seed, salt, index) >= when.fraction) return false;
    return when.next === undefined || matched < when.next;
  }

  private activate(rule: FaultRule): ActiveRule {
    return { rule, salt: this.nextSalt++, matched: 0 };
  }
}
