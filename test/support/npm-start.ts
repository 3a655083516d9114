/** `npm start` the way a user runs it: in a shell of their own (none of the test run's settings), on free ports. */
import { join } from 'node:path';
import { freePort } from './n8n';

export const STACK_PORT_SETTINGS = ['TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'TEMPORAL_HTTP_PORT', 'N8N_PORT', 'N8N_RUNNERS_BROKER_PORT', 'DEMO_INBOX_PORT'] as const;
export type StackPorts = Record<(typeof STACK_PORT_SETTINGS)[number], number>;

/** A free port for each of the stack's port settings, no two the same. */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = {} as StackPorts;
  const used = new Set<number>();
  for (const name of STACK_PORT_SETTINGS) {
    let port = await freePort();
    while (used.has(port)) port = await freePort();
    used.add(port);
    ports[name] = port;
  }
  return ports;
}

/** The environment of a user's shell: none of the test run's Temporal, directory or n8n settings. */
export function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TEMPORAL_|DIRECTORY_|N8N_|DURABLE_SMS_DATA|DEMO_|NODE_ENV|JEST_|SMS_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** The settings a user gives `npm start` (and `npm run sms` beside it) to run on these ports with this data folder. */
export function stackEnv(data: string, ports: StackPorts): NodeJS.ProcessEnv {
  return userEnv({
    DURABLE_SMS_DATA: data,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    DIRECTORY_SQLITE_PATH: join(data, 'directory.sqlite'),
  });
}
