/** The demo stack's settings from environment variables (docs/configuration.md lists each one). */
import { join } from 'node:path';
import { directoryLocationFromEnv, temporalSettingsFromEnv } from '../worker/config';

export function demoStackSettings(env: NodeJS.ProcessEnv) {
  const data = env.DURABLE_SMS_DATA || join(__dirname, '..', '.data');
  const temporal = temporalSettingsFromEnv(env);
  const n8nPort = Number(env.N8N_PORT || 5678);
  const inboxPort = Number(env.DEMO_INBOX_PORT || 5690);
  const uiPort = env.TEMPORAL_UI_PORT ?? '8233';
  return {
    data,
    directory: directoryLocationFromEnv(env),
    temporal: { address: temporal.address, namespace: temporal.namespace, taskQueue: temporal.taskQueue },
    temporalUiUrl: uiPort === '0' ? undefined : `http://127.0.0.1:${uiPort}`,
    n8nUrl: `http://127.0.0.1:${n8nPort}`,
    inboxPort,
    approvalInboxUrl: `http://127.0.0.1:${inboxPort}`,
    login: { email: env.DEMO_OWNER_EMAIL || 'demo@example.com', password: env.DEMO_OWNER_PASSWORD || 'Demo-Passw0rd' },
    approvalsFile: join(data, 'approval-requests.jsonl'),
    n8nStateFile: join(data, 'n8n-demo.json'),
    examplesDir: join(__dirname, '..', 'examples'),
  };
}

export type DemoStackSettings = ReturnType<typeof demoStackSettings>;
