/** A client of a fake provider's control API, for a process that did not start the fake (e.g. a chaos run). */
import { CONTROL_PREFIX, type LedgerReport } from './control-api';
import type { RequestsSummary } from './request-log';
import type { Scenario } from './scenario';

export interface FakeProviderControl {
  /** Replaces the scenario; resolves the scenario the fake now plays. */
  setScenario(scenario: Scenario): Promise<Scenario>;
  scenario(): Promise<Scenario>;
  reset(): Promise<void>;
  ledger(options?: { sendingId?: string; messages?: boolean }): Promise<LedgerReport>;
  requests(): Promise<RequestsSummary>;
}

/** `url`: the fake's base URL (`http://127.0.0.1:<port>`). */
export function controlFakeProvider(url: string): FakeProviderControl {
  const call = async <T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${CONTROL_PREFIX}${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`Fake provider ${method} ${CONTROL_PREFIX}${route}: ${response.status} ${json.error ?? ''}`.trim());
    return json;
  };
  return {
    setScenario: (scenario) => call<Scenario>('POST', 'scenario', scenario),
    scenario: () => call<Scenario>('GET', 'scenario'),
    reset: async () => {
      await call<object>('POST', 'reset', {});
    },
    ledger: (options = {}) => {
      const query = new URLSearchParams();
      if (options.sendingId !== undefined) query.set('sendingId', options.sendingId);
      if (options.messages === false) query.set('messages', '0');
      return call<LedgerReport>('GET', `ledger${query.size > 0 ? `?${query}` : ''}`);
    },
    requests: () => call<RequestsSummary>('GET', 'requests'),
  };
}
