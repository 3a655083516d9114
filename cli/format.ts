import type { AudienceCount } from '../domain/types';
import type { SendingStatus } from '../workflows/messages';

export function formatCount(count: AudienceCount): string {
  const excluded = Object.entries(count.excluded).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return `targeted ${count.targeted}, messages ${count.messages}, distinct numbers ${count.distinctNumbers}${excluded ? `; excluded: ${excluded}` : ''}`;
}

export function formatProgress(status: SendingStatus): string {
  const p = status.progress;
  const total = status.prepared?.summary.messages ?? p.total;
  const done = p.sent + p.failed + p.skipped + p.unknown;
  const pct = total > 0 ? Math.floor((100 * done) / Math.max(total, done)) : 0;
  return `${status.state}: ${done}/${total} (${pct}%) sent ${p.sent}, failed ${p.failed}, skipped ${p.skipped}, unknown ${p.unknown}`;
}

export function formatStatus(status: SendingStatus): string {
  const lines = [`sending ${status.sendingId}: ${status.state}`];
  if (status.selection) {
    const s = status.selection;
    lines.push(`  recipients: project ${s.projectId}, ${s.audience === 'all' ? 'all active contacts' : `groups ${s.groups.join(', ')}`}, ${s.duplicatePolicy === 'perNumber' ? 'one SMS per number' : 'one SMS per contact'}`);
  }
  if (status.lastCount) lines.push(`  last count: ${formatCount(status.lastCount)}`);
  if (status.prepared) {
    const p = status.prepared;
    const when = p.schedule.mode === 'now' ? 'now' : `${p.schedule.localDateTime} ${p.schedule.timeZone} (${new Date(p.sendAtMs!).toISOString()})`;
    lines.push(`  prepared by ${p.preparedBy}: ${p.summary.messages} message(s), send ${when}${p.refreshAtSend ? ', recipients refreshed at send time' : ''}`);
    lines.push(`  message: ${JSON.stringify(p.message)}`);
  }
  if (status.approval) lines.push(`  approved by ${status.approval.approver} at ${new Date(status.approval.atMs).toISOString()}`);
  if (status.rejection) lines.push(`  rejected by ${status.rejection.approver}: ${status.rejection.reason}`);
  if (status.cancellation) lines.push(`  cancelled by ${status.cancellation.actor}: ${status.cancellation.reason}`);
  if (status.refresh) lines.push(`  refreshed at send time: +${status.refresh.added} -${status.refresh.removed}, ${status.refresh.total} recipient(s)`);
  if (['sending', 'completed', 'cancelled', 'failed'].includes(status.state)) lines.push(`  ${formatProgress(status)}`);
  if (status.failure) lines.push(`  failure: ${status.failure}`);
  return lines.join('\n');
}
