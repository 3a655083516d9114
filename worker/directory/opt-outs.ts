/** The SMS kill list of each project, keyed by E.164 number. */
import { normalizeNumber } from '../../domain/phone';
import { DirectoryInputError } from './errors';
import { requireProject } from './projects';
import type { SqlStore } from './sql-store';

async function killListNumber(db: SqlStore, projectId: string, number: string): Promise<string> {
  const project = await requireProject(db, projectId);
  const normalized = normalizeNumber(number, project.defaultCountry);
  if (normalized.status === 'valid') return normalized.e164;
  const problem = normalized.status === 'missing' ? 'The number is empty.' : normalized.reason;
  throw new DirectoryInputError(
    `Cannot use "${number}" on the kill list of project "${projectId}": ${problem} Give it in E.164 (+15145551234) or in the local format of ${project.defaultCountry}.`,
  );
}

/** Adds a number to the kill list; adding it again keeps the first entry. */
export async function addOptOut(db: SqlStore, projectId: string, number: string, source: string): Promise<void> {
  const e164 = await killListNumber(db, projectId, number);
  await db.run('INSERT INTO opt_outs (project_id, e164, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (project_id, e164) DO NOTHING', [
    projectId,
    e164,
    source,
    Date.now(),
  ]);
}

export async function removeOptOut(db: SqlStore, projectId: string, number: string): Promise<void> {
  const e164 = await killListNumber(db, projectId, number);
  await db.run('DELETE FROM opt_outs WHERE project_id = ? AND e164 = ?', [projectId, e164]);
}
