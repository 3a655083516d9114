/**
 * Delivery receipts: what the provider later says happened to a sent message (docs/receipts.md).
 *
 * One row per (project, provider message id) holds the latest delivery state. Receipts may come late,
 * twice or out of order, so a receipt only moves the state forward: `sent` (accepted, awaiting the
 * final word) → `delivered` | `undelivered` | `failed`, and `delivered` → `read`. A final state is never
 * left. A receipt for an id no message carries (yet) is kept too: the message it belongs to may
 * still be settling, and the summary joins on the id whenever it is written.
 */
import type { MessageState } from '../../domain/types';
import { requireProject } from './projects';
import type { SqlStore } from './sql-store';

export const DELIVERY_STATES = ['sent', 'delivered', 'read', 'undelivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryReceipt {
  providerMessageId: string;
  state: DeliveryState;
  /** The provider's error code (Twilio: 30003), when it gave one. */
  errorCode?: string;
}

/**
 * `applied`: the state moved; `duplicate`: the same state again; `stale`: an earlier or conflicting state
 * after a later one (kept as it was). `message`: the recipient the id belongs to, when one does.
 */
export interface DeliveryRecorded {
  outcome: 'applied' | 'duplicate' | 'stale';
  message?: { sendingId: string; seq: number; e164: string };
}

/** A sending's messages by delivery outcome: what the status and `report` show. */
export interface DeliverySummary {
  /** Messages the provider accepted (ledger state `sent`). */
  sent: number;
  delivered: number;
  read: number;
  undelivered: number;
  failed: number;
  /** Accepted messages without a final receipt yet. */
  awaitingReceipt: number;
  /** Undelivered and failed messages per provider error code (`none` when the receipt gave none). */
  byErrorCode: Record<string, number>;
  /** Numbers of this sending put on the kill list by a receipt, per kill-list source (`receipt:21610`, `quarantine:30003`). */
  killListed: Record<string, number>;
}

/** One recipient of a sending with its delivery outcome (the `report --csv` row). */
export interface DeliveryReportRow {
  seq: number;
  externalId: string | null;
  e164: string;
  state: MessageState;
  detail: string | null;
  updatedAt: number;
  deliveryState: DeliveryState | null;
  errorCode: string | null;
  receiptAt: number | null;
}

/** The directory's part for receipts; SqlDirectory delegates each method to this module. */
export interface Deliveries {
  /** Upserts one receipt by provider message id, never leaving a final state. */
  recordDelivery(projectId: string, receipt: DeliveryReceipt): Promise<DeliveryRecorded>;
  /** Receipts of the project for this number with one of `codes` in a failed state. */
  countDeliveryFailures(projectId: string, e164: string, codes: readonly string[]): Promise<number>;
  deliverySummary(sendingId: string): Promise<DeliverySummary>;
  /** The sending's recipients after `afterSeq`, in seq order, with their delivery outcome. */
  readDeliveryReport(sendingId: string, afterSeq: number, limit: number): Promise<DeliveryReportRow[]>;
}

const FINAL_FAILURES = "('undelivered', 'failed')";

/**
 * The message a receipt is for (parameters: provider message id, project). Found by its provider id first, then
 * checked against the project: joined the other way, a plan may read every row of the sending for each receipt.
 */
export const MESSAGE_BY_PROVIDER_ID = `WITH m AS MATERIALIZED (SELECT sending_id, seq, e164 FROM sending_recipients WHERE provider_message_id = ?)
    SELECT m.sending_id, m.seq, m.e164 FROM m JOIN sendings s ON s.id = m.sending_id WHERE s.project_id = ? LIMIT 1`;

export async function recordDelivery(db: SqlStore, projectId: string, receipt: DeliveryReceipt): Promise<DeliveryRecorded> {
  await requireProject(db, projectId);
  const found = await db.get<{ sending_id: string; seq: number | string; e164: string }>(MESSAGE_BY_PROVIDER_ID, [
    receipt.providerMessageId,
    projectId,
  ]);
  const message = found ? { sendingId: found.sending_id, seq: Number(found.seq), e164: found.e164 } : undefined;
  // Forward only: from `sent` to anything else, from `delivered` to `read`.
  const changed = await db.run(
    `INSERT INTO delivery_receipts (project_id, provider_message_id, state, error_code, e164, received_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (project_id, provider_message_id) DO UPDATE
        SET state = excluded.state, error_code = excluded.error_code, received_at = excluded.received_at,
            e164 = COALESCE(delivery_receipts.e164, excluded.e164)
      WHERE (delivery_receipts.state = 'sent' AND excluded.state <> 'sent')
         OR (delivery_receipts.state = 'delivered' AND excluded.state = 'read')`,
    [projectId, receipt.providerMessageId, receipt.state, receipt.errorCode ?? null, message?.e164 ?? null, Date.now()],
  );
  if (changed > 0) return { outcome: 'applied', ...(message ? { message } : {}) };
  const current = await db.get<{ state: DeliveryState; error_code: string | null }>(
    'SELECT state, error_code FROM delivery_receipts WHERE project_id = ? AND provider_message_id = ?',
    [projectId, receipt.providerMessageId],
  );
  const same = current?.state === receipt.state && (current.error_code ?? undefined) === receipt.errorCode;
  return { outcome: same ? 'duplicate' : 'stale', ...(message ? { message } : {}) };
}

export async function countDeliveryFailures(db: SqlStore, projectId: string, e164: string, codes: readonly string[]): Promise<number> {
  if (codes.length === 0) return 0;
  const row = await db.get<{ count: number | string }>(
    `SELECT COUNT(*) AS count FROM delivery_receipts
      WHERE project_id = ? AND e164 = ? AND state IN ${FINAL_FAILURES} AND error_code IN (${codes.map(() => '?').join(', ')})`,
    [projectId, e164, ...codes],
  );
  return Number(row?.count ?? 0);
}

export async function deliverySummary(db: SqlStore, sendingId: string): Promise<DeliverySummary> {
  const rows = await db.all<{ state: DeliveryState | null; code: string | null; count: number | string }>(
    `SELECT d.state AS state, d.error_code AS code, COUNT(*) AS count
       FROM sending_recipients r JOIN sendings s ON s.id = r.sending_id
       LEFT JOIN delivery_receipts d ON d.project_id = s.project_id AND d.provider_message_id = r.provider_message_id
      WHERE r.sending_id = ? AND r.state = 'sent'
      GROUP BY d.state, d.error_code`,
    [sendingId],
  );
  const summary: DeliverySummary = {
    sent: 0,
    delivered: 0,
    read: 0,
    undelivered: 0,
    failed: 0,
    awaitingReceipt: 0,
    byErrorCode: {},
    killListed: {},
  };
  for (const row of rows) {
    const count = Number(row.count);
    summary.sent += count;
    if (row.state === null || row.state === 'sent') summary.awaitingReceipt += count;
    else summary[row.state] += count;
    if (row.state === 'undelivered' || row.state === 'failed') {
      const code = row.code ?? 'none';
      summary.byErrorCode[code] = (summary.byErrorCode[code] ?? 0) + count;
    }
  }
  const listed = await db.all<{ source: string; count: number | string }>(
    `SELECT o.source AS source, COUNT(DISTINCT o.e164) AS count
       FROM sending_recipients r JOIN sendings s ON s.id = r.sending_id
       JOIN delivery_receipts d ON d.project_id = s.project_id AND d.provider_message_id = r.provider_message_id
       JOIN opt_outs o ON o.project_id = s.project_id AND o.e164 = r.e164
      WHERE r.sending_id = ? AND d.state IN ${FINAL_FAILURES} AND (o.source LIKE 'receipt:%' OR o.source LIKE 'quarantine:%')
      GROUP BY o.source`,
    [sendingId],
  );
  for (const row of listed) summary.killListed[row.source] = Number(row.count);
  return summary;
}

export async function readDeliveryReport(db: SqlStore, sendingId: string, afterSeq: number, limit: number): Promise<DeliveryReportRow[]> {
  const rows = await db.all<{
    seq: number | string;
    external_id: string | null;
    e164: string;
    state: MessageState;
    detail: string | null;
    updated_at: number | string;
    delivery_state: DeliveryState | null;
    error_code: string | null;
    received_at: number | string | null;
  }>(
    `SELECT r.seq, c.external_id, r.e164, r.state, r.detail, r.updated_at, d.state AS delivery_state, d.error_code, d.received_at
       FROM sending_recipients r JOIN sendings s ON s.id = r.sending_id
       LEFT JOIN contacts c ON c.project_id = s.project_id AND c.id = r.contact_id
       LEFT JOIN delivery_receipts d ON d.project_id = s.project_id AND d.provider_message_id = r.provider_message_id
      WHERE r.sending_id = ? AND r.seq > ?
      ORDER BY r.seq LIMIT ?`,
    [sendingId, afterSeq, limit],
  );
  return rows.map((row) => ({
    seq: Number(row.seq),
    externalId: row.external_id,
    e164: row.e164,
    state: row.state,
    // A sent row's detail is the provider's message id: not a reason.
    detail: row.state === 'sent' ? null : row.detail,
    updatedAt: Number(row.updated_at),
    deliveryState: row.delivery_state,
    errorCode: row.error_code,
    receiptAt: row.received_at === null ? null : Number(row.received_at),
  }));
}
