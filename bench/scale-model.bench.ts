/**
 * The measured inputs of docs/scale.md: one sending (50k recipients; `--quick`: 5k) through one worker
 * process to a provider endpoint that answers at once, on SQLite and on PostgreSQL (`--quick`: SQLite only). Per 1M recipients:
 * history events and bytes, billable Temporal Actions (billableActions: heartbeats estimated), directory rows and bytes per table; and the send rate. Extrapolation to 1M is linear:
 * the directory's figures grow with the recipients, Temporal's with the batches and the seconds sent, and a batch
 * lasts ~5 s at the sending's rate (workflows/sending/batch-size.ts), so at the same rate they grow with the recipients too.
 */
import { loadAverage } from './support/cpu';
import type { BenchStore } from './support/directory-for-bench';
import { withOneWorker } from './support/one-worker-run';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { billableActions, historySize, prepareSending, sendAndWait } from './support/sending-run';
import { tableFootprints, type TableFootprint } from './support/table-footprint';
import { writeWorkflowBundle } from './support/workflow-bundle';

const RECIPIENTS = QUICK ? 5_000 : 50_000;
const PER_MILLION = 1_000_000 / RECIPIENTS;

const perMillion = (n: number) => Math.round(n * PER_MILLION);

async function measure(store: BenchStore, bundle: string): Promise<{ row: Row; notes: Record<string, unknown> }> {
  return withOneWorker(
    store,
    { recipients: RECIPIENTS, bundle, queuePrefix: 'bench-model' },
    async ({ bench, endpoint, client, sendings }) => {
      const { sendingId } = await prepareSending(sendings, 'bench');
      const { sendSeconds, status } = await sendAndWait(sendings, sendingId);
      const stats = await endpoint.stats(sendingId);
      if (stats.accepted !== RECIPIENTS || stats.numbersSentTwice !== 0 || status.progress.sent !== RECIPIENTS)
        throw new Error(`${store}: not exactly once: ${JSON.stringify(stats)}`);
      const history = await historySize(client, sendingId);
      const actions = await billableActions(client, sendingId);
      const tables = await tableFootprints(bench.workerEnv);
      const recipientsTable = tables.sending_recipients;
      const row: Row = {
        store,
        recipients: RECIPIENTS,
        perSecond: Math.round(RECIPIENTS / sendSeconds),
        runs: history.runs,
        eventsPer1M: perMillion(history.events),
        historyMiBPer1M: Number(((history.bytes * PER_MILLION) / 2 ** 20).toFixed(1)),
        actionsPer1M: perMillion(actions.total),
        heartbeatsPer1M: perMillion(actions.heartbeats),
        recipientRowsPer1M: perMillion(recipientsTable.rows),
        recipientMiBPer1M: Number(((recipientsTable.bytes * PER_MILLION) / 2 ** 20).toFixed(0)),
        contactMiBPer1M: Number(((tables.contacts.bytes * PER_MILLION) / 2 ** 20).toFixed(0)),
        auditRows: tables.audit_log.rows,
      };
      console.log(
        `[scale-model] ${store}: ${row.actionsPer1M} actions, ${row.eventsPer1M} events, ${row.recipientMiBPer1M} MiB of recipient rows per 1M`,
      );
      const per1M = (footprint: TableFootprint) => ({
        rows: perMillion(footprint.rows),
        MiB: Number(((footprint.bytes * PER_MILLION) / 2 ** 20).toFixed(1)),
      });
      return {
        row,
        notes: {
          sendSeconds,
          actions,
          tables,
          tablesPer1M: Object.fromEntries(Object.entries(tables).map(([name, footprint]) => [name, per1M(footprint)])),
        },
      };
    },
  );
}

runBenchmark(async () => {
  const bundle = await writeWorkflowBundle();
  const load = loadAverage();
  const rows: Row[] = [];
  const notes: Record<string, unknown> = { loadAtStart: load };
  for (const store of QUICK ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const)) {
    const { row, notes: storeNotes } = await measure(store, bundle);
    rows.push(row);
    notes[store] = storeNotes;
  }
  report('scale-model', rows, notes);
});
