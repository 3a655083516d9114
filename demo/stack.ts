/**
 * The last step of `npm start`, once the dev server, the worker and n8n are up: starts the approval
 * inbox, seeds the demo project and sets n8n up (both only the first time), prints where everything is,
 * and keeps the inbox serving until SIGINT/SIGTERM.
 */
import { openDirectory } from '../worker/directory/open-directory';
import { startApprovalInbox } from './approval-inbox';
import { PROCESS_EXAMPLE, setUpN8nForDemo } from './n8n-setup';
import { seedDemo } from './seed-demo';
import { demoStackSettings } from './stack-settings';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const settings = demoStackSettings(process.env);
  const inbox = await startApprovalInbox({
    port: settings.inboxPort,
    host: '127.0.0.1',
    file: settings.approvalsFile,
    n8nUrl: settings.n8nUrl,
    log,
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      throw new Error(`port ${settings.inboxPort} on 127.0.0.1 is already in use by another process; choose another with DEMO_INBOX_PORT`);
    throw err;
  });

  const t0 = Date.now();
  const directory = await openDirectory(settings.directory);
  try {
    const seed = await seedDemo(directory);
    const groups = seed.groups.map((g) => `${g.name} (${g.memberCount})`).join(', ');
    log(
      seed.created
        ? `[demo] project "demo" seeded: ${seed.contacts} contacts, ${seed.optOuts} opted-out numbers; groups ${groups} (${Date.now() - t0} ms)`
        : `[demo] project "demo" found in the directory (groups ${groups}); kept as it is`,
    );
  } finally {
    await directory.close();
  }

  const t1 = Date.now();
  const n8n = await setUpN8nForDemo({
    n8nUrl: settings.n8nUrl,
    login: settings.login,
    temporal: settings.temporal,
    approvalInboxUrl: inbox.url,
    examplesDir: settings.examplesDir,
    stateFile: settings.n8nStateFile,
  });
  log(
    n8n.created
      ? `[demo] n8n set up: owner account, credential "Local Temporal (demo)", ${Object.keys(n8n.state.workflows).length} example workflows imported (${Date.now() - t1} ms)`
      : '[demo] n8n was set up by an earlier start; kept as it is',
  );

  log(`
  ┌─ durable SMS demo is up (${Math.round(Number(process.env.STACK_STARTED_SECONDS_AGO ?? 0) + process.uptime())} s) ─────────────────────────────────
  │ n8n              ${settings.n8nUrl}/workflow/${n8n.state.workflows[PROCESS_EXAMPLE]}
  │   log in         ${settings.login.email} / ${process.env.DEMO_OWNER_PASSWORD ? '(your DEMO_OWNER_PASSWORD)' : settings.login.password}
  │ Approval inbox   ${inbox.url}   (approval links land here and in this terminal)
  │ Temporal Web UI  ${settings.temporalUiUrl ?? 'off (TEMPORAL_UI_PORT=0)'}
  │ Directory        ${settings.directory.url ? 'PostgreSQL (DIRECTORY_URL)' : settings.directory.sqlitePath}
  │
  │ In n8n: on the "Run by Hand" trigger click "Execute workflow", open the link in the
  │ approval inbox, approve; then see the messages:
  │   npm run sms -- list          npm run sms -- outbox <sending id>
  │ Or, without a browser:  npm run demo
  └─ Ctrl-C stops everything ───────────────────────────────────────────
`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await inbox.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[demo] ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
