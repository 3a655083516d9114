import type { IDataObject } from 'n8n-workflow';
import type { AudienceCount } from '../../domain/types';
import type { SendingStatus } from '../../workflows/messages';

/** A sending's status as an item: `sendingId` first, so the next node's default expression finds it. */
export function statusItem(status: SendingStatus): IDataObject {
  return { ...(status as unknown as IDataObject) };
}

export function countItem(sendingId: string, count: AudienceCount): IDataObject {
  return { sendingId, ...(count as unknown as IDataObject) };
}
