/**
 * Where sendings run: the Temporal frontend, namespace and task queue, in the one shape the operator CLI,
 * the n8n nodes (nodes/shared/transport.ts) and the worker (worker/config.ts) share. No Temporal SDK here,
 * so the worker's settings do not pull in the client.
 */

/** The task queue the worker polls and clients start sendings on when none is set. */
export const DEFAULT_TASK_QUEUE = 'durable-sms';

export interface ClientSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer }; serverNameOverride?: string };
}

/** Address, TLS and API key in the shape both the client's and the worker's connections take. */
export function connectionOptions(settings: ClientSettings): { address: string; tls?: ClientSettings['tls']; apiKey?: string } {
  return {
    address: settings.address,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  };
}
