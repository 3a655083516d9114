import type { OutboxStore as DirectoryOutbox } from '../directory/roles';
import type { OutgoingSms, ProviderResult, SmsProvider } from './provider';

/** What the outbox provider needs from the directory: a write that ignores a second one for the same sendingId + seq. */
export type OutboxStore = Pick<DirectoryOutbox, 'writeOutbox'>;

/** The default provider: records each message in the store instead of sending it (a dry run to inspect). */
export function createOutboxProvider(store: OutboxStore): SmsProvider {
  return {
    name: 'outbox',
    idempotent: true,
    async send(sms: OutgoingSms): Promise<ProviderResult> {
      await store.writeOutbox({ sendingId: sms.sendingId, seq: sms.seq, to: sms.to, from: sms.from, body: sms.body });
      return { status: 'sent', providerMessageId: `outbox:${sms.sendingId}:${sms.seq}` };
    },
  };
}
