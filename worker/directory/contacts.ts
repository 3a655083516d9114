/** Contacts: upsert with normalized numbers, activity, memberships, deletion. */
import type { ContactInput, Project } from './directory';
import { contactNumberColumns } from './contact-number';
import { DirectoryInputError } from './errors';
import { cleanGroupNames, ensureGroups, replaceMemberships } from './groups';
import { requireProject } from './projects';
import { chunk, inJsonList, jsonListParam, jsonRows, jsonRowsParam, type SqlParam, type SqlStore } from './sql-store';

const CHUNK_SIZE = 1000;

export async function upsertContacts(
  db: SqlStore,
  projectId: string,
  contacts: readonly ContactInput[],
): Promise<{ inserted: number; updated: number }> {
  const unique = lastInputPerExternalId(contacts.map(validContactInput));
  return db.transaction(async (tx) => {
    const project = await requireProject(tx, projectId);
    let inserted = 0;
    for (const part of chunk(unique, CHUNK_SIZE)) inserted += await upsertChunk(tx, project, part);
    return { inserted, updated: unique.length - inserted };
  });
}

/** All batches in one transaction (a transaction inside joins it), so a failing source leaves nothing behind. */
export function upsertContactBatches(
  db: SqlStore,
  projectId: string,
  batches: AsyncIterable<ContactInput[]>,
): Promise<{ inserted: number; updated: number }> {
  return db.transaction(async (tx) => {
    const total = { inserted: 0, updated: 0 };
    for await (const batch of batches) {
      const done = await upsertContacts(tx, projectId, batch);
      total.inserted += done.inserted;
      total.updated += done.updated;
    }
    return total;
  });
}

/** The input with its id checked and every profile field value as a string. */
function validContactInput(contact: ContactInput, index: number): ContactInput {
  const externalId = contact?.externalId;
  if (typeof externalId !== 'string' || externalId.trim() === '') {
    throw new DirectoryInputError(`Contact #${index + 1} has no externalId; every contact needs the caller's id.`);
  }
  const fields: unknown = contact.fields ?? {};
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new DirectoryInputError(`Contact "${externalId}": fields must be an object of profile field values.`);
  }
  const textFields = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [name, value === null || value === undefined ? '' : String(value)]),
  );
  return { ...contact, fields: textFields };
}

function lastInputPerExternalId(contacts: ContactInput[]): ContactInput[] {
  return [...new Map(contacts.map((contact) => [contact.externalId, contact])).values()];
}

/** Returns how many of the chunk's contacts were new. */
async function upsertChunk(tx: SqlStore, project: Project, contacts: ContactInput[]): Promise<number> {
  const existing = await tx.all<{ external_id: string }>(
    `SELECT external_id FROM contacts WHERE project_id = ? AND ${inJsonList(tx.dialect, 'external_id')}`,
    [project.id, jsonListParam(contacts.map((contact) => contact.externalId))],
  );
  const ids = new Map<string, number>();
  for (const run of runsBySettingActive(contacts)) {
    for (const [externalId, id] of await writeContacts(tx, project, run, run[0].active !== undefined)) ids.set(externalId, id);
  }
  await writeMemberships(tx, project.id, contacts, ids);
  return contacts.length - existing.length;
}

/** Consecutive contacts that do / do not set `active`, so ids follow the input order. */
function runsBySettingActive(contacts: ContactInput[]): ContactInput[][] {
  const runs: ContactInput[][] = [];
  for (const contact of contacts) {
    const last = runs[runs.length - 1];
    if (last && (last[0].active === undefined) === (contact.active === undefined)) last.push(contact);
    else runs.push([contact]);
  }
  return runs;
}

async function writeContacts(
  tx: SqlStore,
  project: Project,
  contacts: ContactInput[],
  updateActive: boolean,
): Promise<Map<string, number>> {
  const now = Date.now();
  const rows: SqlParam[][] = contacts.map((contact) => {
    const number = contactNumberColumns(contact.fields, project);
    return [
      contact.externalId,
      contact.active === false ? 0 : 1,
      JSON.stringify(contact.fields),
      number.sms_e164,
      number.sms_status,
      number.sms_invalid_reason,
      number.sms_country,
      number.sms_type,
    ];
  });
  const written = await tx.all<{ id: number; external_id: string }>(
    `INSERT INTO contacts (project_id, external_id, active, fields, sms_e164, sms_status, sms_invalid_reason, sms_country, sms_type, created_at, updated_at)
     SELECT ?, j.value ->> 0, CAST(j.value ->> 1 AS INTEGER), j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7,
       CAST(? AS BIGINT), CAST(? AS BIGINT)
     FROM ${jsonRows(tx.dialect)} WHERE true
     ON CONFLICT (project_id, external_id) DO UPDATE SET ${updateActive ? 'active = excluded.active, ' : ''}
       fields = excluded.fields, sms_e164 = excluded.sms_e164, sms_status = excluded.sms_status,
       sms_invalid_reason = excluded.sms_invalid_reason, sms_country = excluded.sms_country, sms_type = excluded.sms_type,
       updated_at = excluded.updated_at
     RETURNING id, external_id`,
    [project.id, now, now, jsonRowsParam(rows)],
  );
  return new Map(written.map((row) => [row.external_id, Number(row.id)]));
}

async function writeMemberships(tx: SqlStore, projectId: string, contacts: ContactInput[], ids: Map<string, number>): Promise<void> {
  const withGroups = contacts.filter((contact) => contact.groups !== undefined);
  if (withGroups.length === 0) return;
  const names = withGroups.map((contact) => cleanGroupNames(contact.groups ?? []));
  const groupIds = await ensureGroups(tx, projectId, [...new Set(names.flat())]);
  const memberships = new Map<number, number[]>();
  withGroups.forEach((contact, index) => {
    const contactId = ids.get(contact.externalId);
    if (contactId !== undefined)
      memberships.set(
        contactId,
        names[index].map((name) => groupIds.get(name) as number),
      );
  });
  await replaceMemberships(tx, memberships);
}

/** Internal id of a contact, or a DirectoryInputError naming it. */
export async function requireContactId(db: SqlStore, projectId: string, externalId: string): Promise<number> {
  const row = await db.get<{ id: number }>('SELECT id FROM contacts WHERE project_id = ? AND external_id = ?', [projectId, externalId]);
  if (row) return Number(row.id);
  await requireProject(db, projectId);
  throw new DirectoryInputError(`Unknown contact "${externalId}" in project "${projectId}". Import or create the contact first.`);
}

export async function setContactActive(db: SqlStore, projectId: string, externalId: string, active: boolean): Promise<void> {
  const changed = await db.run('UPDATE contacts SET active = ?, updated_at = ? WHERE project_id = ? AND external_id = ?', [
    active ? 1 : 0,
    Date.now(),
    projectId,
    externalId,
  ]);
  if (changed === 0) await requireContactId(db, projectId, externalId);
}

export async function setMemberships(db: SqlStore, projectId: string, externalId: string, groups: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    const contactId = await requireContactId(tx, projectId, externalId);
    const names = cleanGroupNames(groups);
    const groupIds = await ensureGroups(tx, projectId, names);
    await replaceMemberships(tx, new Map([[contactId, names.map((name) => groupIds.get(name) as number)]]));
  });
}

/** Removes a contact and its memberships; its rows in prepared snapshots stay (dispatch sees it as removed). */
export async function deleteContact(db: SqlStore, projectId: string, externalId: string): Promise<boolean> {
  return (await db.run('DELETE FROM contacts WHERE project_id = ? AND external_id = ?', [projectId, externalId])) > 0;
}

/** The profile field names the project's contacts carry (what [[name]] can use in a message), sorted; at most `limit`. */
export async function contactFieldNames(db: SqlStore, projectId: string, limit = 100): Promise<string[]> {
  const project = await requireProject(db, projectId);
  const keys =
    db.dialect === 'sqlite'
      ? 'SELECT DISTINCT j.key AS name FROM contacts, json_each(contacts.fields) AS j WHERE contacts.project_id = ?'
      : 'SELECT DISTINCT jsonb_object_keys(CAST(fields AS jsonb)) AS name FROM contacts WHERE project_id = ?';
  const rows = await db.all<{ name: string }>(`${keys} ORDER BY name LIMIT ?`, [projectId, limit + 1]);
  return rows
    .map((row) => row.name)
    .filter((name) => name !== project.numberField)
    .slice(0, limit);
}
