/**
 * Delivery receipts at scale: 100,000 signed JSON receipts (the http provider's format) posted over real
 * HTTP to the worker's endpoint, 32 at a time, on SQLite and PostgreSQL. 50,000 sent messages each get
 * `sent` then their final state (5 % undelivered with 30003, which counts towards quarantine). Reports
 * receipts/s and the peak resident memory of the process (endpoint and client together).
 * `--quick`: 10,000 receipts.
 */
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { startInboundServer } from '../worker/inbound/inbound-server';
import { receiptSignature } from '../worker/receipts/receipt-signature';
import { seedAudience } from './support/audience';
import { openBenchDirectory, type BenchDirectory, type BenchStore } from './support/directory-for-bench';
import { measure } from './support/peak-memory';
import { QUICK, report, runBenchmark, type Row } from './support/results';

const MESSAGES = QUICK ? 5_000 : 50_000;
const LANES = 32;
const SECRET = 'bench-receipt-secret-0123456789';
const PROJECT = 'bench';
const SENDING = 'bench-receipts';

/** Marks every snapshot row sent with the id `bench-<seq>`, as the dispatch ledger's settle writes it. */
async function markSent(bench: BenchDirectory): Promise<void> {
  const sql = "UPDATE sending_recipients SET state = 'sent', provider_message_id = 'bench-' || seq WHERE sending_id = 'bench-receipts'";
  if (bench.workerEnv.DIRECTORY_SQLITE_PATH) {
    const db = new Database(bench.workerEnv.DIRECTORY_SQLITE_PATH);
    db.exec(sql);
    db.close();
    return;
  }
  const client = new Client({ connectionString: bench.workerEnv.DIRECTORY_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
}

function receiptOf(n: number): string {
  const seq = (n % MESSAGES) + 1;
  if (n < MESSAGES) return JSON.stringify({ messageId: `bench-${seq}`, status: 'sent' });
  return seq % 20 === 0
    ? JSON.stringify({ messageId: `bench-${seq}`, status: 'undelivered', errorCode: '30003' })
    : JSON.stringify({ messageId: `bench-${seq}`, status: 'delivered' });
}

async function run(store: BenchStore): Promise<Row> {
  const bench = await openBenchDirectory(store);
  const { directory } = bench;
  try {
    await seedAudience(directory, PROJECT, MESSAGES);
    const selection = { projectId: PROJECT, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    await directory.createSending({ id: SENDING, projectId: PROJECT, selection, createdBy: 'bench', createdAt: Date.now() });
    await directory.prepareSnapshot(SENDING, selection);
    await markSent(bench);
    const server = await startInboundServer({ directory, port: 0, receiptSecret: SECRET, log: () => undefined });
    const url = `${server.url}/receipts/${PROJECT}`;
    const total = MESSAGES * 2;
    let next = 0;
    let refused = 0;
    const measured = await measure(async () => {
      const lane = async () => {
        // First every `sent`, then every final state: a message's two receipts are never in flight together.
        for (let n = next++; n < total; n = next++) {
          const body = receiptOf(n);
          const timestamp = String(Math.floor(Date.now() / 1000));
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              'X-Sms-Timestamp': timestamp,
              'X-Sms-Signature': receiptSignature(SECRET, timestamp, body),
            },
            body,
          });
          await response.arrayBuffer();
          if (response.status !== 200) refused++;
        }
      };
      await Promise.all(Array.from({ length: LANES }, lane));
    });
    await server.close();
    const summary = await directory.deliverySummary(SENDING);
    const quarantined = (await directory.listOptOuts(PROJECT, 'quarantine:')).length;
    if (refused > 0 || summary.delivered + summary.undelivered !== MESSAGES) {
      throw new Error(`${store}: ${refused} receipt(s) refused; summary ${JSON.stringify(summary)}`);
    }
    return {
      store,
      receipts: total,
      lanes: LANES,
      seconds: measured.seconds,
      'receipts/s': total / measured.seconds,
      'peak RSS MiB': measured.peakRssMiB,
      'RSS growth MiB': measured.peakGrowthMiB,
      delivered: summary.delivered,
      undelivered: summary.undelivered,
      quarantined,
    };
  } finally {
    await bench.close();
  }
}

runBenchmark(async () => {
  const rows: Row[] = [];
  for (const store of ['sqlite', 'postgres'] as const) rows.push(await run(store));
  report('receipts', rows, {
    what: 'signed JSON receipts posted over HTTP to the worker endpoint (in this process), 32 in flight; each message gets sent, then delivered or undelivered (5 %, 30003)',
  });
});
