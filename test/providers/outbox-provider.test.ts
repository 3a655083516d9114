import { createOutboxProvider, type OutboxStore } from '../../worker/providers/outbox-provider';

function memoryOutbox() {
  const rows = new Map<string, Parameters<OutboxStore['writeOutbox']>[0]>();
  const store: OutboxStore = {
    async writeOutbox(message) {
      const key = `${message.sendingId}:${message.seq}`;
      if (!rows.has(key)) rows.set(key, message);
    },
  };
  return { store, rows };
}

describe('outbox provider', () => {
  it('records the message in the store and is idempotent by sending and seq', async () => {
    const { store, rows } = memoryOutbox();
    const provider = createOutboxProvider(store);
    const sms = { to: '+14165550100', from: null, body: 'Hi', idempotencyKey: 's1:3', sendingId: 's1', seq: 3 };

    expect(provider).toMatchObject({ name: 'outbox', idempotent: true });
    await expect(provider.send(sms)).resolves.toEqual({ status: 'sent', providerMessageId: 'outbox:s1:3' });
    await expect(provider.send({ ...sms, body: 'Hi again' })).resolves.toEqual({ status: 'sent', providerMessageId: 'outbox:s1:3' });
    await provider.send({ ...sms, seq: 4, idempotencyKey: 's1:4', from: 'ACME' });

    expect([...rows.values()]).toEqual([
      { sendingId: 's1', seq: 3, to: '+14165550100', from: null, body: 'Hi' },
      { sendingId: 's1', seq: 4, to: '+14165550100', from: 'ACME', body: 'Hi' },
    ]);
  });

  it('lets a store failure through (the caller retries)', async () => {
    const provider = createOutboxProvider({ writeOutbox: async () => Promise.reject(new Error('database is locked')) });
    await expect(provider.send({ to: '+1', from: null, body: 'x', idempotencyKey: 'k', sendingId: 's', seq: 1 })).rejects.toThrow(
      'database is locked',
    );
  });
});
