/**
 * What a receipt changes: the message's delivery state (deliveries.ts), then the project's receipt
 * actions (compliance.receipts): an opt-out code puts the number on the kill list (`receipt:<code>`),
 * a quarantine code does once the number has that many failed receipts (`quarantine:<code>`); a
 * quarantine that puts the number on the list is written to the sending's audit log (`number_quarantined`,
 * the recipient's id, no number), which the Durable SMS Trigger offers as an event.
 */
import type { Project } from '../directory/directory';
import type { Deliveries, DeliveryReceipt, DeliveryRecorded } from '../directory/deliveries';
import type { AuditLog } from '../directory/roles';

export type ReceiptDirectory = Pick<Deliveries, 'recordDelivery' | 'countDeliveryFailures' | 'readDeliveryReport'> &
  Pick<AuditLog, 'audit'> & {
    addOptOut(projectId: string, number: string, source: string): Promise<boolean>;
  };

export interface ReceiptResult {
  /** `unmatched`: no message of the project carries this id (yet); the receipt is kept. */
  outcome: DeliveryRecorded['outcome'] | 'unmatched';
  /** The kill-list source the receipt added, e.g. `quarantine:30003`. */
  killListed?: string;
}

export async function applyReceipt(directory: ReceiptDirectory, project: Project, receipt: DeliveryReceipt): Promise<ReceiptResult> {
  const recorded = await directory.recordDelivery(project.id, receipt);
  if (!recorded.message) return { outcome: recorded.outcome === 'applied' ? 'unmatched' : recorded.outcome };
  const code = receipt.errorCode;
  const failed = receipt.state === 'undelivered' || receipt.state === 'failed';
  if (recorded.outcome !== 'applied' || !failed || !code) return { outcome: recorded.outcome };
  const { optOutCodes, quarantineCodes, quarantineAfter } = project.compliance.receipts;
  const { e164, sendingId, seq } = recorded.message;
  if (optOutCodes.includes(code)) {
    await directory.addOptOut(project.id, e164, `receipt:${code}`);
    return { outcome: 'applied', killListed: `receipt:${code}` };
  }
  const failures = quarantineCodes.includes(code) ? await directory.countDeliveryFailures(project.id, e164, quarantineCodes) : 0;
  // A number already on the kill list (an earlier quarantine, an opt-out) is not quarantined again: no new event.
  if (failures > 0 && failures >= quarantineAfter && (await directory.addOptOut(project.id, e164, `quarantine:${code}`))) {
    const [recipient] = await directory.readDeliveryReport(sendingId, seq - 1, 1);
    await directory.audit({
      sendingId,
      action: 'number_quarantined',
      actor: 'system',
      detail: {
        recipientId: recipient?.externalId ?? null,
        recipientSeq: seq,
        errorCode: code,
        killListSource: `quarantine:${code}`,
        failures,
      },
    });
    return { outcome: 'applied', killListed: `quarantine:${code}` };
  }
  return { outcome: 'applied' };
}

/** Applies receipts the worker makes itself (the outbox's simulated ones) like those posted to the endpoint. */
export function receiptRecorder(directory: ReceiptDirectory & { getProject(id: string): Promise<Project | undefined> }) {
  return async (projectId: string, receipt: DeliveryReceipt): Promise<ReceiptResult | undefined> => {
    const project = await directory.getProject(projectId);
    return project ? applyReceipt(directory, project, receipt) : undefined;
  };
}
