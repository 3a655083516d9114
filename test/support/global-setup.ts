/**
 * Runs once before the suites: checks that the Temporal dev server and PostgreSQL answer
 * (scripts/test.sh starts both when missing; a developer can run `npm run temporal start` and set
 * TEMPORAL_ADDRESS and TEST_DATABASE_URL) so a missing service fails fast with a clear message, and
 * bundles the workflow code once for every test worker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client } from 'pg';
import { TEST_POSTGRES_URL } from './directories';
import { TEST_OUTPUT, WORKFLOW_BUNDLE_PATH } from './paths';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}

async function checkPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    throw new Error(
      `PostgreSQL is not answering at ${shown} (${(error as Error).message}). Run the tests with "npm test" (it starts a throw-away PostgreSQL when none answers), or set TEST_DATABASE_URL to one that does.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const [host, port] = address.split(':');
  if (!(await reachable(host, Number(port)))) {
    throw new Error(
      `Temporal is not answering at ${address}. Run the tests with "npm test" (it starts a dev server), or start one with "npm run temporal start" and set TEMPORAL_ADDRESS.`,
    );
  }
  await checkPostgres(TEST_POSTGRES_URL);
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never,
  });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
}
