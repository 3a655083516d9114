/** Recomputes the stored SMS number of a project's contacts after its number settings change. */
import type { Project } from './directory';
import { contactNumberColumns, parseFields, type ContactNumberColumns } from './contact-number';
import { jsonRows, jsonRowsParam, type SqlStore } from './sql-store';

const BATCH_SIZE = 1000;

interface StoredContact extends ContactNumberColumns {
  id: number;
  fields: string;
}

/** Walks the contacts by id in batches (memory stays flat) and rewrites only the changed ones. */
export async function renormalizeContacts(tx: SqlStore, project: Project): Promise<number> {
  let changed = 0;
  let afterId = 0;
  for (;;) {
    const batch = await tx.all<StoredContact>(
      `SELECT id, fields, sms_e164, sms_status, sms_invalid_reason, sms_country, sms_type FROM contacts
       WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?`,
      [project.id, afterId, BATCH_SIZE],
    );
    if (batch.length === 0) return changed;
    afterId = Number(batch[batch.length - 1].id);
    const updates = batch
      .map((contact) => ({ id: Number(contact.id), before: contact, after: contactNumberColumns(parseFields(contact.fields), project) }))
      .filter(({ before, after }) => !sameColumns(before, after));
    if (updates.length > 0) await writeNumberColumns(tx, updates);
    changed += updates.length;
  }
}

function sameColumns(a: ContactNumberColumns, b: ContactNumberColumns): boolean {
  return (
    a.sms_e164 === b.sms_e164 &&
    a.sms_status === b.sms_status &&
    a.sms_invalid_reason === b.sms_invalid_reason &&
    a.sms_country === b.sms_country &&
    a.sms_type === b.sms_type
  );
}

async function writeNumberColumns(tx: SqlStore, updates: { id: number; after: ContactNumberColumns }[]): Promise<void> {
  const rows = updates.map(({ id, after }) => [
    id,
    after.sms_e164,
    after.sms_status,
    after.sms_invalid_reason,
    after.sms_country,
    after.sms_type,
  ]);
  await tx.run(
    `UPDATE contacts SET sms_e164 = v.sms_e164, sms_status = v.sms_status, sms_invalid_reason = v.sms_invalid_reason,
       sms_country = v.sms_country, sms_type = v.sms_type, updated_at = ?
     FROM (SELECT CAST(j.value ->> 0 AS BIGINT) AS id, j.value ->> 1 AS sms_e164, j.value ->> 2 AS sms_status, j.value ->> 3 AS sms_invalid_reason,
             j.value ->> 4 AS sms_country, j.value ->> 5 AS sms_type
           FROM ${jsonRows(tx.dialect)}) AS v
     WHERE contacts.id = v.id`,
    [Date.now(), jsonRowsParam(rows)],
  );
}
