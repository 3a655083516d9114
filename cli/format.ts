import type { AudienceCount } from '../domain/types';
import type { SendingStatus } from '../workflows/messages';

export function formatCount(count: AudienceCount): string {
  const excluded = Object.entries(count.excluded)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return `targeted ${count.targeted}, messages ${count.messages}, distinct numbers ${count.distinctNumbers}${excluded ? `; excluded: ${excluded}` : ''}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function formatProgress(status: SendingStatus): string {
  const p = status.progress;
  const total = status.prepared?.summary.messages ?? p.total;
  const done = p.sent + p.failed + p.skipped + p.unknown;
  const pct = total > 0 ? Math.floor((100 * done) / Math.max(total, done)) : 0;
  const held =
    status.held && status.held.count > 0
      ? `, held by quiet hours ${status.held.count} (next ${iso(status.held.nextMs!)}, last ${iso(status.held.lastMs!)})`
      : '';
  const pending = p.pending ? `, waiting ${p.pending}` : '';
  return `${status.state}: ${done}/${total} (${pct}%) sent ${p.sent}, failed ${p.failed}, skipped ${p.skipped}, unknown ${p.unknown}${pending}${held}`;
}

export function formatStatus(status: SendingStatus): string {
  const lines = [`sending ${status.sendingId}: ${status.state}`];
  if (status.selection) {
    const s = status.selection;
    lines.push(
      `  recipients: project ${s.projectId}, ${s.audience === 'all' ? 'all active contacts' : `groups ${s.groups.join(', ')}`}, ${s.duplicatePolicy === 'perNumber' ? 'one SMS per number' : 'one SMS per contact'}`,
    );
  }
  if (status.lastCount) lines.push(`  last count: ${formatCount(status.lastCount)}`);
  if (status.prepared) {
    const p = status.prepared;
    const when =
      p.schedule.mode === 'now' ? 'now' : `${p.schedule.localDateTime} ${p.schedule.timeZone} (${new Date(p.sendAtMs!).toISOString()})`;
    lines.push(
      `  prepared by ${p.preparedBy}: ${p.summary.messages} message(s), send ${when}${p.refreshAtSend ? ', recipients refreshed at send time' : ''}`,
    );
    lines.push(`  message: ${JSON.stringify(p.message)}`);
    for (const point of p.report.points.filter((x) => x.level !== 'pass')) lines.push(`  ${point.level} ${point.code}: ${point.message}`);
    lines.push(`  approval hash: ${status.approvalHash}`);
  }
  const request = status.approvalRequest;
  if (request) {
    const needed = status.prepared?.approvalRules.approvalsRequired ?? 1;
    lines.push(
      request.expiredAtMs
        ? `  approval request by ${request.requestedBy} expired at ${iso(request.expiredAtMs)}`
        : `  approval requested by ${request.requestedBy}, expires ${iso(request.expiresAtMs)}; ${status.approvals.length}/${needed} approval(s)`,
    );
  }
  for (const a of status.approvals) lines.push(`  approved by ${a.approver} at ${iso(a.atMs)}${a.comment ? `: ${a.comment}` : ''}`);
  if (status.rejection) lines.push(`  rejected by ${status.rejection.approver}: ${status.rejection.reason}`);
  if (status.cancellation) lines.push(`  cancelled by ${status.cancellation.actor}: ${status.cancellation.reason}`);
  if (status.pause) {
    const pause = status.pause;
    lines.push(
      `  paused ${pause.automatic ? 'automatically' : `by ${pause.by}`} at ${iso(pause.atMs)}: ${pause.reason}${pause.code ? ` (code ${pause.code})` : ''}`,
    );
    lines.push(`  resume it with: npm run sms -- resume ${status.sendingId}   (it fails at ${iso(pause.expiresAtMs)} if nobody does)`);
  }
  if (status.backoff)
    lines.push(
      `  waiting for the provider until ${iso(status.backoff.untilMs)} (${status.backoff.rounds} time(s) in a row): ${status.backoff.reason}`,
    );
  if (status.state === 'completed' && status.retryUntilMs && status.progress.failed + status.progress.unknown > 0) {
    lines.push(
      `  failed or unknown recipients can be sent again until ${iso(status.retryUntilMs)}: npm run sms -- retry ${status.sendingId} --failed [--unknown --confirm-possible-duplicates]`,
    );
  }
  if (status.refresh)
    lines.push(`  refreshed at send time: +${status.refresh.added} -${status.refresh.removed}, ${status.refresh.total} recipient(s)`);
  if (['sending', 'paused', 'completed', 'cancelled', 'failed'].includes(status.state)) lines.push(`  ${formatProgress(status)}`);
  if (status.failure) lines.push(`  failure: ${status.failure}`);
  const recent = status.audit.slice(-5);
  if (recent.length)
    lines.push(`  latest actions (all: audit ${status.sendingId}):`, ...recent.map((a) => `    ${iso(a.atMs)}  ${a.action} by ${a.actor}`));
  return lines.join('\n');
}
