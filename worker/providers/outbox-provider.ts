import { createHash } from 'node:crypto';
import type { DeliveryReceipt } from '../directory/deliveries';
import type { OutboxStore as DirectoryOutbox } from '../directory/roles';
import type { OutgoingSms, ProviderResult, SmsProvider } from './provider';

/** What the outbox provider needs from the directory: a write that ignores a second one for the same sendingId + seq. */
export type OutboxStore = Pick<DirectoryOutbox, 'writeOutbox'>;

/** Simulated delivery receipts (docs/receipts.md): `undeliveredShare` of the messages come back undelivered with 30003. */
export interface OutboxReceipts {
  /** 0 to 1 (SMS_OUTBOX_UNDELIVERED_SHARE); which messages is decided by their id, so a run is reproducible. */
  undeliveredShare: number;
  record(projectId: string, receipt: DeliveryReceipt): Promise<unknown>;
}

export const SIMULATED_UNDELIVERED_CODE = '30003';

/** The default provider: records each message in the store instead of sending it (a dry run to inspect). */
export function createOutboxProvider(store: OutboxStore, receipts?: OutboxReceipts): SmsProvider {
  return {
    name: 'outbox',
    idempotent: true,
    async send(sms: OutgoingSms): Promise<ProviderResult> {
      await store.writeOutbox({ sendingId: sms.sendingId, seq: sms.seq, to: sms.to, from: sms.from, body: sms.body });
      return { status: 'sent', providerMessageId: `outbox:${sms.sendingId}:${sms.seq}` };
    },
    ...(receipts
      ? {
          async afterSent(sms: OutgoingSms, providerMessageId: string): Promise<void> {
            if (!sms.projectId) return;
            const undelivered = shareOf(providerMessageId) < receipts.undeliveredShare;
            await receipts.record(
              sms.projectId,
              undelivered
                ? { providerMessageId, state: 'undelivered', errorCode: SIMULATED_UNDELIVERED_CODE }
                : { providerMessageId, state: 'delivered' },
            );
          },
        }
      : {}),
  };
}

/** A number in [0, 1) fixed by the id. */
function shareOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32;
}
