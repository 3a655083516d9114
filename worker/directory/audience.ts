/**
 * Recipient resolution in SQL, so counting and snapshotting never load the audience in memory.
 * `targeted(id, sms_e164, reason)`: one row per targeted contact, `reason` the first exclusion
 * that applies or NULL; `recipients(id, e164)`: one row per message (duplicate policy applied).
 */
import type { AudienceCount, AudienceSelection, DuplicatePolicy, ExclusionReason } from '../../domain/types';
import { DirectoryInputError, listForMessage } from './errors';
import { cleanGroupNames, findGroups, groupNames } from './groups';
import { freshenAudienceStatistics } from './planner-statistics';
import { requireProject } from './projects';
import { inJsonList, jsonListParam, type SqlDialect, type SqlParam, type SqlStore } from './sql-store';

export interface ResolvedAudience {
  projectId: string;
  /** Group ids for audience `groups`; null for `all`. */
  groupIds: number[] | null;
  duplicatePolicy: DuplicatePolicy;
}

const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['perContact', 'perNumber'];

/** Checks the selection against the directory; unknown project or groups are input errors. */
export async function resolveAudience(db: SqlStore, selection: AudienceSelection): Promise<ResolvedAudience> {
  const project = await requireProject(db, selection.projectId);
  if (!DUPLICATE_POLICIES.includes(selection.duplicatePolicy)) {
    throw new DirectoryInputError(`Unknown duplicate policy "${selection.duplicatePolicy}". Use perContact or perNumber.`);
  }
  if (selection.audience === 'all') return { projectId: project.id, groupIds: null, duplicatePolicy: selection.duplicatePolicy };
  if (selection.audience !== 'groups') {
    throw new DirectoryInputError(`Unknown audience "${String(selection.audience)}". Use all or groups.`);
  }
  const names = cleanGroupNames(selection.groups ?? []);
  if (names.length === 0) {
    throw new DirectoryInputError(
      `Audience "groups" of project "${project.id}" names no group. Pick at least one group, or use audience "all".`,
    );
  }
  const rows = await findGroups(db, project.id, names);
  const found = new Set(rows.map((row) => row.name));
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) {
    const known = listForMessage(await groupNames(db, project.id));
    const which = missing.length === 1 ? `group "${missing[0]}"` : `groups ${missing.map((name) => `"${name}"`).join(', ')}`;
    throw new DirectoryInputError(
      `Unknown ${which} in project "${project.id}". Known groups: ${known}. Check the spelling, or import contacts into that group first.`,
    );
  }
  return { projectId: project.id, groupIds: rows.map((row) => row.id), duplicatePolicy: selection.duplicatePolicy };
}

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}

/** `WITH targeted AS (...)`. */
export function targetedCte(dialect: SqlDialect, audience: ResolvedAudience): SqlFragment {
  const inGroups = audience.groupIds
    ? `AND c.id IN (SELECT m.contact_id FROM memberships m WHERE ${inJsonList(dialect, 'm.group_id', 'BIGINT')})`
    : '';
  const sql = `WITH targeted AS (
      SELECT c.id, c.sms_e164,
        CASE
          WHEN c.active = 0 THEN 'inactive'
          WHEN c.sms_status = 'missing' THEN 'missingNumber'
          WHEN c.sms_status = 'invalid' THEN 'invalidNumber'
          WHEN o.e164 IS NOT NULL THEN 'optedOut'
        END AS reason
      FROM contacts c LEFT JOIN opt_outs o ON o.project_id = c.project_id AND o.e164 = c.sms_e164
      WHERE c.project_id = ? ${inGroups}
    )`;
  return { sql, params: audience.groupIds ? [audience.projectId, jsonListParam(audience.groupIds)] : [audience.projectId] };
}

/** `WITH targeted AS (...), recipients AS (...)`; under perNumber the lowest contact id keeps a number. */
export function recipientsCte(dialect: SqlDialect, audience: ResolvedAudience): SqlFragment {
  const targeted = targetedCte(dialect, audience);
  const recipients =
    audience.duplicatePolicy === 'perNumber'
      ? 'SELECT MIN(id) AS id, sms_e164 AS e164 FROM targeted WHERE reason IS NULL GROUP BY sms_e164'
      : 'SELECT id, sms_e164 AS e164 FROM targeted WHERE reason IS NULL';
  return { sql: `${targeted.sql}, recipients AS (${recipients})`, params: targeted.params };
}

interface CountRow {
  targeted: number;
  inactive: number;
  missing_number: number;
  invalid_number: number;
  opted_out: number;
  eligible: number;
  distinct_numbers: number;
}

export async function countResolvedAudience(db: SqlStore, audience: ResolvedAudience): Promise<AudienceCount> {
  const targeted = targetedCte(db.dialect, audience);
  const count = (reason: ExclusionReason | null) =>
    `COALESCE(SUM(CASE WHEN reason ${reason ? `= '${reason}'` : 'IS NULL'} THEN 1 ELSE 0 END), 0)`;
  const row = (await db.get<CountRow>(
    `${targeted.sql}
     SELECT COUNT(*) AS targeted, ${count('inactive')} AS inactive, ${count('missingNumber')} AS missing_number,
       ${count('invalidNumber')} AS invalid_number, ${count('optedOut')} AS opted_out, ${count(null)} AS eligible,
       COUNT(DISTINCT CASE WHEN reason IS NULL THEN sms_e164 END) AS distinct_numbers
     FROM targeted`,
    targeted.params,
  )) as CountRow;
  const eligible = Number(row.eligible);
  const distinctNumbers = Number(row.distinct_numbers);
  const duplicateNumber = audience.duplicatePolicy === 'perNumber' ? eligible - distinctNumbers : 0;
  return {
    targeted: Number(row.targeted),
    excluded: {
      inactive: Number(row.inactive),
      missingNumber: Number(row.missing_number),
      invalidNumber: Number(row.invalid_number),
      optedOut: Number(row.opted_out),
      duplicateNumber,
    },
    distinctNumbers,
    messages: eligible - duplicateNumber,
  };
}

export async function countAudience(db: SqlStore, selection: AudienceSelection): Promise<AudienceCount> {
  const audience = await resolveAudience(db, selection);
  await freshenAudienceStatistics(db);
  return countResolvedAudience(db, audience);
}
