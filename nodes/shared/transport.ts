/**
 * The nodes' one way to Temporal. Everything the nodes do goes through `sendingsFor` (a SendingClient
 * on a connection kept per credential), so another transport — Temporal's HTTP API, which would let the
 * package carry no runtime dependency — can later replace this file alone.
 */
import { createHash } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type {
  ICredentialDataDecryptedObject,
  IExecuteFunctions,
  ILoadOptionsFunctions,
  INodeCredentialTestResult,
  IPollFunctions,
  IWebhookFunctions,
} from 'n8n-workflow';
import { SendingClient } from '../../client/sending-client';
import { DEFAULT_TASK_QUEUE, connectionOptions, type ClientSettings } from '../../client/temporal-connection';

export const CREDENTIAL_NAME = 'durableSmsTemporalApi';

type NodeContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IPollFunctions;

export function settingsFromCredential(credential: ICredentialDataDecryptedObject): ClientSettings {
  const text = (key: string): string => String(credential[key] ?? '').trim();
  const settings: ClientSettings = {
    address: text('address'),
    namespace: text('namespace') || 'default',
    taskQueue: text('taskQueue') || DEFAULT_TASK_QUEUE,
  };
  if (text('apiKey')) settings.apiKey = text('apiKey');
  const mode = text('tls') || 'none';
  if (mode !== 'none' || settings.apiKey) {
    settings.tls = {
      ...(text('serverCa') ? { serverRootCACertificate: Buffer.from(text('serverCa')) } : {}),
      ...(mode === 'mutual'
        ? { clientCertPair: { crt: Buffer.from(text('clientCert')), key: Buffer.from(text('clientPrivateKey')) } }
        : {}),
      ...(text('serverName') ? { serverNameOverride: text('serverName') } : {}),
    };
  }
  return settings;
}

const clients = new Map<string, Promise<Client>>();

function clientFor(settings: ClientSettings): Promise<Client> {
  const key = createHash('sha256')
    .update(JSON.stringify(settings, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))
    .digest('hex');
  let client = clients.get(key);
  if (!client) {
    client = Connection.connect({ ...connectionOptions(settings), connectTimeout: '10s' }).then(
      (connection) => new Client({ connection, namespace: settings.namespace }),
    );
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

export async function sendingsFor(context: NodeContext): Promise<SendingClient> {
  const settings = settingsFromCredential(await context.getCredentials(CREDENTIAL_NAME));
  return new SendingClient(await clientFor(settings), settings.taskQueue, { established: 'nodeParameter' });
}

/** Connects, checks the namespace, and that a worker polls the task queue. */
export async function testConnection(credential: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
  const settings = settingsFromCredential(credential);
  if (!settings.address)
    return { status: 'Error', message: 'Address is empty: set host:port of the Temporal frontend, e.g. 127.0.0.1:7233.' };
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...connectionOptions(settings), connectTimeout: '5s' });
    await connection.workflowService.describeNamespace({ namespace: settings.namespace });
    const queue = await connection.workflowService.describeTaskQueue({
      namespace: settings.namespace,
      taskQueue: { name: settings.taskQueue },
      taskQueueType: 1,
    });
    if (!queue.pollers?.length) {
      return {
        status: 'Error',
        message: `Connected to namespace "${settings.namespace}", but no durable SMS worker polls task queue "${settings.taskQueue}": start the worker (npm run worker) or fix the task queue.`,
      };
    }
    return { status: 'OK', message: `Connected; ${queue.pollers.length} worker(s) poll "${settings.taskQueue}".` };
  } catch (err) {
    return {
      status: 'Error',
      message: `Cannot use Temporal at ${settings.address} (namespace "${settings.namespace}"): ${(err as Error).message}`,
    };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
