/** The fingerprint of what an approver approves: any change to it voids the approval. Pure (runs in the workflow). */
import { sha256Hex } from './hash';
import type { Schedule } from './schedule';
import type { AudienceSelection } from './types';

export interface ApprovedContent {
  selection: AudienceSelection;
  message: string;
  senderId: string | null;
  schedule: Schedule;
  refreshAtSend: boolean;
  /** SHA-256 of every recipient's number and personalized message (the prepared set); absent for sendings prepared before it existed. */
  contentDigest?: string;
}

export function approvalHashOf(content: ApprovedContent): string {
  const { selection, message, senderId, schedule, refreshAtSend, contentDigest } = content;
  const canonical = {
    projectId: selection.projectId,
    audience: selection.audience,
    groups: selection.audience === 'groups' ? [...selection.groups].sort() : [],
    duplicatePolicy: selection.duplicatePolicy,
    message,
    senderId,
    schedule:
      schedule.mode === 'now' ? { mode: 'now' } : { mode: 'later', localDateTime: schedule.localDateTime, timeZone: schedule.timeZone },
    refreshAtSend,
    ...(contentDigest === undefined ? {} : { contentDigest }),
  };
  return sha256Hex(JSON.stringify(canonical));
}
