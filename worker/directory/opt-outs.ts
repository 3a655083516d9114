/** The SMS kill list of each project, keyed by E.164 number. */
import { normalizeNumber } from '../../domain/phone';
import { DirectoryInputError } from './errors';
import { requireProject } from './projects';
import type { SqlStore } from './sql-store';

/** The source of an entry that an inbound STOP created (`inbound:STOP`): the only kind a START removes. */
export const INBOUND_SOURCE_PREFIX = 'inbound:';

export const isInboundSource = (source: string): boolean => source.startsWith(INBOUND_SOURCE_PREFIX);

/** Who made an entry, without the rest of its source: `cli:alex` → `cli`, `quarantine:21610` → `quarantine`. */
export const sourceKind = (source: string): string => source.split(':')[0].trim().slice(0, 40);

export async function killListNumber(db: SqlStore, projectId: string, number: string): Promise<string> {
  const project = await requireProject(db, projectId);
  const normalized = normalizeNumber(number, project.defaultCountry);
  if (normalized.status === 'valid') return normalized.e164;
  const problem = normalized.status === 'missing' ? 'The number is empty.' : normalized.reason;
  throw new DirectoryInputError(
    `Cannot use "${number}" on the kill list of project "${projectId}": ${problem} Give it in E.164 (+15145551234) or in the local format of ${project.defaultCountry}.`,
  );
}

/**
 * Adds a number to the kill list; adding it again keeps the first entry, except that an operator's or
 * quarantine entry takes over one an inbound STOP made, so that a later START cannot remove it.
 */
/** Puts a number on the project's kill list; true when the list changed (false: it was there already). */
export async function addOptOut(db: SqlStore, projectId: string, number: string, source: string): Promise<boolean> {
  return insertOptOut(db, projectId, await killListNumber(db, projectId, number), source);
}

/** `addOptOut` for a number already in E.164; true when the kill list changed. */
export async function insertOptOut(db: SqlStore, projectId: string, e164: string, source: string): Promise<boolean> {
  const changed = await db.run(
    `INSERT INTO opt_outs (project_id, e164, source, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (project_id, e164) DO UPDATE SET source = excluded.source
     WHERE opt_outs.source LIKE '${INBOUND_SOURCE_PREFIX}%' AND excluded.source NOT LIKE '${INBOUND_SOURCE_PREFIX}%'`,
    [projectId, e164, source, Date.now()],
  );
  return changed > 0;
}

/** Takes a number off the kill list whatever added it (an operator's action; an inbound START uses inbound-messages.ts). */
export async function removeOptOut(db: SqlStore, projectId: string, number: string): Promise<void> {
  const e164 = await killListNumber(db, projectId, number);
  await db.run('DELETE FROM opt_outs WHERE project_id = ? AND e164 = ?', [projectId, e164]);
}
