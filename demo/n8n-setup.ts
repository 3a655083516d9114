/**
 * Makes a fresh n8n ready for the demo, once: the owner account, a credential for the local Temporal
 * worker, the example workflows wired to it (their approval links go to the approval inbox), and an
 * API key the headless demo uses. What it created is kept in a file; a later start finds it and leaves
 * n8n as the user left it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoLogin {
  email: string;
  password: string;
}

export interface N8nDemoState {
  credentialId: string;
  /** Workflow ids by example file name. */
  workflows: Record<string, string>;
  apiKey: string;
}

export interface N8nDemoSettings {
  n8nUrl: string;
  login: DemoLogin;
  temporal: { address: string; namespace: string; taskQueue: string };
  approvalInboxUrl: string;
  examplesDir: string;
  stateFile: string;
}

export const EXAMPLE_FILES = ['sms-process-with-approval.json', 'scheduled-send-with-refresh.json'];
/** The example the headless demo runs through its webhook; kept active. */
export const PROCESS_EXAMPLE = 'sms-process-with-approval.json';

async function call(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`n8n: ${what} answered ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Logs in as the owner (creating the owner on a fresh n8n) and returns the session cookie. */
export async function ownerSession(n8nUrl: string, login: DemoLogin): Promise<string> {
  const { data: settings } = await json<{ data: { userManagement: { showSetupOnFirstLoad: boolean } } }>(
    await call(`${n8nUrl}/rest/settings`, 'GET', {}),
    'GET /rest/settings',
  );
  const response = settings.userManagement.showSetupOnFirstLoad
    ? await call(
        `${n8nUrl}/rest/owner/setup`,
        'POST',
        {},
        { email: login.email, firstName: 'Demo', lastName: 'Owner', password: login.password },
      )
    : await call(`${n8nUrl}/rest/login`, 'POST', {}, { emailOrLdapLoginId: login.email, password: login.password });
  if (response.status === 401) {
    throw new Error(
      `n8n: cannot log in as ${login.email}: this n8n's owner has another e-mail or password. Set DEMO_OWNER_EMAIL / DEMO_OWNER_PASSWORD to them, or start with a new data folder (DURABLE_SMS_DATA).`,
    );
  }
  await json(response, settings.userManagement.showSetupOnFirstLoad ? 'POST /rest/owner/setup' : 'POST /rest/login');
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
  if (!cookie) throw new Error('n8n: the login set no n8n-auth cookie');
  return cookie.split(';')[0];
}

/** An example from examples/, wired to the credential and the approval inbox. */
export function demoWorkflow(examplesDir: string, file: string, credentialId: string, approvalInboxUrl: string): Record<string, unknown> {
  const workflow = JSON.parse(readFileSync(join(examplesDir, file), 'utf8'));
  for (const node of workflow.nodes) {
    if (node.credentials?.durableSmsTemporalApi)
      node.credentials.durableSmsTemporalApi = { id: credentialId, name: 'Local Temporal (demo)' };
    if (node.type === 'n8n-nodes-durable-sms.durableSmsRequestApproval') node.parameters.webhookUrl = `${approvalInboxUrl}/approvals`;
    // The headless demo starts the process example through its webhook, on this local n8n only.
    if (file === PROCESS_EXAMPLE && node.type === 'n8n-nodes-base.webhook') node.disabled = false;
  }
  return workflow;
}

export function readDemoState(stateFile: string): N8nDemoState | undefined {
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as N8nDemoState) : undefined;
}

export async function setUpN8nForDemo(settings: N8nDemoSettings): Promise<{ created: boolean; state: N8nDemoState }> {
  const cookie = await ownerSession(settings.n8nUrl, settings.login);
  const existing = readDemoState(settings.stateFile);
  if (existing) return { created: false, state: existing };

  const rest = async <T>(method: string, path: string, body?: unknown) =>
    json<{ data: T }>(await call(`${settings.n8nUrl}/rest${path}`, method, { cookie }, body), `${method} /rest${path}`);
  const { data: scopes } = await rest<string[]>('GET', '/api-keys/scopes');
  const { data: key } = await rest<{ rawApiKey: string }>('POST', '/api-keys', { label: 'durable-sms demo', scopes, expiresAt: null });
  const api = async <T>(method: string, path: string, body?: unknown) =>
    json<T>(await call(`${settings.n8nUrl}/api/v1${path}`, method, { 'X-N8N-API-KEY': key.rawApiKey }, body), `${method} /api/v1${path}`);

  const credential = await api<{ id: string }>('POST', '/credentials', {
    name: 'Local Temporal (demo)',
    type: 'durableSmsTemporalApi',
    data: { ...settings.temporal, tls: 'none', apiKey: '' },
  });
  const workflows: Record<string, string> = {};
  for (const file of EXAMPLE_FILES) {
    const created = await api<{ id: string }>(
      'POST',
      '/workflows',
      demoWorkflow(settings.examplesDir, file, credential.id, settings.approvalInboxUrl),
    );
    workflows[file] = created.id;
  }
  await api('POST', `/workflows/${workflows[PROCESS_EXAMPLE]}/activate`);
  const state: N8nDemoState = { credentialId: credential.id, workflows, apiKey: key.rawApiKey };
  writeFileSync(settings.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return { created: true, state };
}
