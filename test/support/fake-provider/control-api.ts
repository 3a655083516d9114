/**
 * The control API of a fake provider, on its own server under /_control/ (see index.ts for the routes),
 * so that another process (a chaos run driving workers) can change the scenario and read the ledger.
 */
import { countsByNumber, duplicates, type AcceptedMessage, type Duplicates } from './ledger';
import type { Answer } from './messaging-apis';
import { summarize, type ReceivedRequest } from './request-log';
import { parseScenario, ScenarioError, type Scenario } from './scenario';

export const CONTROL_PREFIX = '/_control/';

export interface LedgerReport {
  accepted: number;
  distinctNumbers: number;
  countsByNumber: Record<string, number>;
  duplicates: Duplicates;
  /** Left out with `?messages=0`. */
  messages?: AcceptedMessage[];
}

export interface Controlled {
  readonly accepted: readonly AcceptedMessage[];
  readonly requests: readonly ReceivedRequest[];
  scenario(): Scenario;
  setScenario(scenario: Scenario): void;
  reset(): void;
}

export function controlAnswer(method: string, path: string, query: URLSearchParams, body: string, provider: Controlled): Answer {
  const route = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
  switch (route) {
    case 'GET scenario':
      return { status: 200, body: provider.scenario() };
    case 'POST scenario':
      return setScenario(body, provider);
    case 'POST reset':
      provider.reset();
      return { status: 200, body: {} };
    case 'GET ledger':
      return { status: 200, body: ledgerReport(provider.accepted, query) };
    case 'GET requests':
      return { status: 200, body: summarize(provider.requests) };
    default:
      return {
        status: 404,
        body: {
          error: `No control route ${method} ${path}: GET|POST ${CONTROL_PREFIX}scenario, POST ${CONTROL_PREFIX}reset, GET ${CONTROL_PREFIX}ledger, GET ${CONTROL_PREFIX}requests`,
        },
      };
  }
}

function setScenario(body: string, provider: Controlled): Answer {
  try {
    provider.setScenario(parseScenario(JSON.parse(body)));
    return { status: 200, body: provider.scenario() };
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof SyntaxError) return { status: 400, body: { error: err.message } };
    throw err;
  }
}

/** `?sendingId=…` keeps that sending's messages; `?messages=0` leaves the messages out. */
function ledgerReport(accepted: readonly AcceptedMessage[], query: URLSearchParams): LedgerReport {
  const sendingId = query.get('sendingId');
  const messages = sendingId === null ? accepted : accepted.filter((m) => m.sendingId === sendingId);
  const counts = countsByNumber(messages);
  const report: LedgerReport = {
    accepted: messages.length,
    distinctNumbers: Object.keys(counts).length,
    countsByNumber: counts,
    duplicates: duplicates(messages),
  };
  return query.get('messages') === '0' ? report : { ...report, messages: [...messages] };
}
