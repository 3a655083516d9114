/**
 * A real n8n for end-to-end tests, run through scripts/n8n.sh: a fresh user folder in a temp directory,
 * free ports, the given node package installed the way n8n's community-package installer does it,
 * an owner account and a public-API key.
 *
 * n8n itself must already be installed (`scripts/n8n.sh ensure`, which `npm test` runs before jest):
 * the first install takes minutes, so startN8n fails fast instead of installing inside a test.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths';
import { TEMPORAL_ADDRESS } from './temporal';

const run = promisify(execFile);
export const N8N_SCRIPT = join(ROOT, 'scripts', 'n8n.sh');

export const OWNER = { email: 'owner@durable-sms.test', firstName: 'Test', lastName: 'Owner', password: 'E2e-Owner-Passw0rd' };

export interface StartN8nOptions {
  /** Package tarball (npm pack output) installed into the user folder before n8n starts. */
  packageTarball?: string;
  /** HTTP port; a free one when omitted. */
  port?: number;
  /** Extra environment for the n8n process. */
  env?: Record<string, string>;
  /** Keep the temp folder (database, log) after stop(). DURABLE_SMS_KEEP_N8N=1 keeps it always, also after a failed start. */
  keepData?: boolean;
}

export interface WebhookResponse {
  status: number;
  body: any;
}

export interface N8nExecution {
  id: string;
  status: string;
  mode: string;
  finished: boolean;
  workflowId: string;
  data?: any;
}

/** GET /rest/workflows/:id/publication-status (n8n 2.40's WorkflowPublicationStatusService.getStatus). */
interface PublicationStatus {
  status: 'in_progress' | 'published' | 'partial' | 'failed' | 'not_published';
  liveVersionId: string | null;
  pendingVersionId: string | null;
  triggers: { nodeId: string; status: string; errorMessage: string | null }[];
}

/** A workflow as n8n's public API returns it. */
export interface N8nWorkflow {
  id: string;
  name: string;
  active: boolean;
  [field: string]: any;
}

export interface N8n {
  url: string;
  apiKey: string;
  /** `n8n-auth=…` cookie of the owner, for the internal /rest API. */
  cookie: string;
  dataDir: string;
  userFolder: string;
  logFile: string;
  /** Public API (/api/v1) with the API key; throws on a non-2xx answer. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** Internal API (/rest) as the owner; throws on a non-2xx answer. */
  rest<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * Creates the workflow through the public API and activates it; returns once n8n has applied the
   * publication (its triggers and webhooks registered, a polling trigger's first poll done): POST /activate
   * returns before that, the outbox consumer applies it afterwards. Settings default to `{ executionOrder:
   * 'v1' }`, what the editor gives a new workflow (the public API requires some). Throws naming the workflow
   * when n8n refuses either step or fails to publish it.
   */
  activate(workflow: Record<string, unknown>): Promise<N8nWorkflow>;
  /** Calls a production webhook, retrying while n8n has not registered it yet (just after activation). */
  webhook(path: string, body?: unknown, method?: string): Promise<WebhookResponse>;
  /** Polls the public API until the workflow has an execution that is no longer running. */
  waitForExecution(workflowId: string, options?: { timeoutMs?: number; count?: number }): Promise<N8nExecution>;
  /** The n8n log so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Whether scripts/n8n.sh has a complete n8n install in its cache. */
export async function n8nInstalled(): Promise<boolean> {
  try {
    await run('bash', [N8N_SCRIPT, 'installed']);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function script(args: string[], env: Record<string, string>): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [N8N_SCRIPT, ...args], { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; message: string }; // the message includes stderr
    throw new Error(`scripts/n8n.sh ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}`);
  }
}

async function request(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function json(response: Response, what: string): Promise<any> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 2000)}`);
  return text ? JSON.parse(text) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startN8n(options: StartN8nOptions = {}): Promise<N8n> {
  if (!(await n8nInstalled())) {
    throw new Error('n8n is not installed. Run "scripts/n8n.sh ensure" once (npm test does it before jest); it takes a few minutes.');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-sms-n8n-'));
  const port = options.port ?? (await freePort());
  let brokerPort = await freePort();
  while (brokerPort === port) brokerPort = await freePort();
  const env: Record<string, string> = {
    ...options.env,
    DURABLE_SMS_DATA: dataDir,
    N8N_USER_FOLDER: join(dataDir, 'n8n'),
    N8N_PORT: String(port),
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
  };
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dataDir, `n8n-${port}.log`);
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const keepAlways = process.env.DURABLE_SMS_KEEP_N8N === '1';
  let started = false;
  const stop = async (keep = options.keepData || keepAlways) => {
    if (started) await script(['stop'], env);
    started = false;
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    if (options.packageTarball) await script(['install-package', options.packageTarball], env);
    started = true;
    await script(['start'], env);

    const setup = await request(`${url}/rest/owner/setup`, 'POST', {}, OWNER);
    await json(setup, 'POST /rest/owner/setup');
    const authCookie = setup.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
    if (!authCookie) throw new Error('POST /rest/owner/setup set no n8n-auth cookie');
    const cookie = authCookie.split(';')[0];

    const rest = async <T = any>(method: string, path: string, body?: unknown): Promise<T> =>
      json(await request(`${url}/rest${path}`, method, { cookie }, body), `${method} /rest${path}`);
    const { data: scopes } = await rest<{ data: string[] }>('GET', '/api-keys/scopes');
    const { data: key } = await rest<{ data: { rawApiKey: string } }>('POST', '/api-keys', { label: 'e2e', scopes, expiresAt: null });
    const apiKey = key.rawApiKey;
    const api = async <T = any>(method: string, path: string, body?: unknown): Promise<T> =>
      json(await request(`${url}/api/v1${path}`, method, { 'X-N8N-API-KEY': apiKey }, body), `${method} /api/v1${path}`);

    const activate = async (workflow: Record<string, unknown>): Promise<N8nWorkflow> => {
      const what = `workflow "${String(workflow.name)}"`;
      let created: N8nWorkflow;
      try {
        created = await api<N8nWorkflow>('POST', '/workflows', { settings: { executionOrder: 'v1' }, ...workflow });
      } catch (error) {
        throw new Error(`n8n refused to create ${what}: ${(error as Error).message}`);
      }
      let activated: N8nWorkflow;
      try {
        activated = await api<N8nWorkflow>('POST', `/workflows/${created.id}/activate`);
      } catch (error) {
        throw new Error(`n8n refused to activate ${what} (id ${created.id}): ${(error as Error).message}`);
      }
      if (!activated.active)
        throw new Error(`n8n did not activate ${what} (id ${created.id}): ${JSON.stringify(activated).slice(0, 1000)}`);
      await published(created.id, what);
      return activated;
    };

    /**
     * n8n 2.40 publishes through an outbox: POST /activate only records the publication and wakes the
     * outbox consumer, which registers the triggers later (and runs a polling trigger's first poll then).
     * Waits until the publication is applied: no record in flight and every trigger activated.
     */
    const published = async (workflowId: string, what: string, timeoutMs = 60_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { data: status } = await rest<{ data: PublicationStatus }>('GET', `/workflows/${workflowId}/publication-status`);
        if (status.status === 'published' && status.pendingVersionId === null) return;
        if (status.status === 'failed' || status.status === 'partial')
          throw new Error(`n8n failed to publish ${what} (id ${workflowId}): ${JSON.stringify(status).slice(0, 1000)}`);
        if (Date.now() > deadline)
          throw new Error(
            `n8n did not publish ${what} (id ${workflowId}) within ${timeoutMs} ms: ${JSON.stringify(status).slice(0, 1000)}`,
          );
        await sleep(100);
      }
    };

    const webhook = async (path: string, body?: unknown, method = 'POST'): Promise<WebhookResponse> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const response = await request(`${url}/webhook/${path}`, method, {}, body);
        const text = await response.text();
        if (response.status === 404 && text.includes('not registered') && Date.now() < deadline) {
          await sleep(250);
          continue;
        }
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        return { status: response.status, body: parsed };
      }
    };

    const waitForExecution = async (workflowId: string, { timeoutMs = 60_000, count = 1 } = {}): Promise<N8nExecution> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { data } = await api<{ data: N8nExecution[] }>(
          'GET',
          `/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true`,
        );
        const done = data.filter((e) => !['new', 'running'].includes(e.status));
        if (done.length >= count) return done[0];
        if (Date.now() > deadline)
          throw new Error(`no finished execution of workflow ${workflowId} within ${timeoutMs} ms: ${JSON.stringify(data).slice(0, 1000)}`);
        await sleep(250);
      }
    };

    return {
      url,
      apiKey,
      cookie,
      dataDir,
      userFolder: env.N8N_USER_FOLDER,
      logFile,
      api,
      rest,
      activate,
      webhook,
      waitForExecution,
      log,
      stop: () => stop(),
    };
  } catch (error) {
    const tail = log().split('\n').slice(-40).join('\n');
    await stop(keepAlways).catch(() => undefined);
    const kept = keepAlways ? `\n(kept ${dataDir})` : '';
    throw new Error(`${(error as Error).message}${tail ? `\n--- n8n log (last lines) ---\n${tail}` : ''}${kept}`);
  }
}

/**
 * Builds the project (`npm run build`) and packs it into a temp folder, the tarball users would install.
 * Returns the tarball path; remove its folder when done.
 */
export async function packProject(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-sms-pack-'));
  try {
    const { stdout } = await run('bash', [join(ROOT, 'scripts', 'pack.sh'), dir], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim().split('\n').pop()!;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`scripts/pack.sh failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The Durable SMS (Temporal) API credential for the test's worker, as a user creates it; its id. */
export async function addTemporalCredential(n8n: N8n, taskQueue: string): Promise<string> {
  const credential = await n8n.api('POST', '/credentials', {
    name: 'Temporal',
    type: 'durableSmsTemporalApi',
    data: { address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue, tls: 'none', apiKey: '' },
  });
  return credential.id as string;
}
