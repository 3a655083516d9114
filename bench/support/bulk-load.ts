/**
 * Loads the generated directory into fresh SQLite files / PostgreSQL schemas, fast: the schema and
 * the project come from the real directory code, the contacts are written with plain bulk inserts
 * (numbers normalized by the same code the directory uses on import). Each batch is computed once
 * and written to every target.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { contactNumberColumns, type ContactNumberColumns } from '../../worker/directory/contact-number';
import type { ProjectInput } from '../../worker/directory/directory';
import { openDirectory, type DirectoryConfig } from '../../worker/directory/open-directory';
import { dropSchema } from '../../test/support/directories';
import { DEFAULT_COUNTRY, GROUPS, generatedContact } from './generated-contacts';

export type BenchStore = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const SENDER = '+15145550000';
const BATCH = 10_000;
const VERIFY_EVERY = 50;

export function benchProject(id: string, quietHours: boolean): ProjectInput {
  return {
    id,
    name: id,
    smsEnabled: true,
    numberField: 'mobile',
    defaultCountry: DEFAULT_COUNTRY,
    timeZone: 'America/Toronto',
    senderId: SENDER,
    compliance: { quietHours: { enabled: quietHours } },
  };
}

export interface LoadedDirectory {
  store: BenchStore;
  /** What openDirectory takes to open it. */
  config: DirectoryConfig;
  drop(): Promise<void>;
}

interface Sink {
  write(rows: ContactRow[]): Promise<void>;
  finish(): Promise<void>;
}

interface ContactRow {
  id: number;
  externalId: string;
  active: number;
  fields: string;
  e164: string | null;
  status: string;
  reason: string | null;
  country: string | null;
  type: string | null;
  groups: number[];
  optedOut: boolean;
}

/** Creates one directory per store holding project `projectId` with `count` generated contacts. */
export async function loadDirectories(stores: BenchStore[], projectId: string, count: number): Promise<LoadedDirectory[]> {
  const loaded: LoadedDirectory[] = [];
  const sinks: Sink[] = [];
  try {
    for (const store of [...stores].sort((a) => (a === 'postgres' ? -1 : 1))) {
      const target = store === 'sqlite' ? await createSqlite() : await createPostgres();
      loaded.push(target);
      const directory = await openDirectory(target.config);
      await directory.upsertProject(benchProject(projectId, false));
      await directory.close();
      sinks.push(
        store === 'sqlite' ? sqliteSink(target.config.sqlitePath!, projectId) : await postgresSink(target.config.schema!, projectId),
      );
    }
    for (let start = 0; start < count; start += BATCH) {
      const rows: ContactRow[] = [];
      for (let i = start; i < Math.min(count, start + BATCH); i++) rows.push(contactRow(i));
      // PostgreSQL works on its batch in its own process while SQLite writes its own.
      await Promise.all(sinks.map((sink) => sink.write(rows)));
    }
    for (const sink of sinks) await sink.finish();
    return loaded;
  } catch (error) {
    for (const target of loaded) await target.drop().catch(() => undefined);
    throw error;
  }
}

const invalidColumns = new Map<string, ContactNumberColumns>();

/**
 * The stored row of contact `i`. Its number columns come from the generator, which knows each
 * number's E.164 form; one contact in VERIFY_EVERY is normalized by the directory's own code and
 * must agree, and invalid numbers (a handful of distinct texts) all are.
 */
function contactRow(i: number): ContactRow {
  const contact = generatedContact(i);
  const project = { numberField: 'mobile', defaultCountry: DEFAULT_COUNTRY };
  let number: ContactNumberColumns;
  if (contact.e164 === null) {
    const written = contact.fields.mobile;
    number = invalidColumns.get(written) ?? contactNumberColumns(contact.fields, project);
    invalidColumns.set(written, number);
    if (number.sms_status === 'valid') throw new Error(`Generated contact ${i}: "${written}" was meant to be invalid.`);
  } else {
    number = {
      sms_e164: contact.e164,
      sms_status: 'valid',
      sms_invalid_reason: null,
      sms_country: contact.country,
      sms_type: contact.type,
    };
    if (i % VERIFY_EVERY === 0) {
      const normalized = contactNumberColumns(contact.fields, project);
      if (JSON.stringify(normalized) !== JSON.stringify(number)) {
        throw new Error(
          `Generated contact ${i}: "${contact.fields.mobile}" is stored as ${JSON.stringify(normalized)}, not ${JSON.stringify(number)}.`,
        );
      }
    }
  }
  return {
    id: i + 1,
    externalId: contact.externalId,
    active: contact.active ? 1 : 0,
    fields: JSON.stringify(contact.fields),
    e164: number.sms_e164,
    status: number.sms_status,
    reason: number.sms_invalid_reason,
    country: number.sms_country,
    type: number.sms_type,
    groups: contact.groups.map((g) => g + 1),
    optedOut: contact.optedOut && number.sms_e164 !== null,
  };
}

async function createSqlite(): Promise<LoadedDirectory> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-prepare-'));
  return {
    store: 'sqlite',
    config: { sqlitePath: join(folder, 'directory.sqlite') },
    drop: async () => rmSync(folder, { recursive: true, force: true }),
  };
}

async function createPostgres(): Promise<LoadedDirectory> {
  const schema = `bench_prepare_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    store: 'postgres',
    config: { url: POSTGRES_URL, schema },
    drop: () => dropSchema(POSTGRES_URL, schema),
  };
}

function sqliteSink(path: string, projectId: string): Sink {
  const db = new Database(path);
  db.exec('PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;');
  const now = Date.now();
  const insertGroup = db.prepare('INSERT INTO contact_groups (id, project_id, name, created_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => GROUPS.forEach((name, g) => insertGroup.run(g + 1, projectId, name, now)))();
  const insertContact = db.prepare(
    `INSERT INTO contacts (id, project_id, external_id, active, fields, sms_e164, sms_status, sms_invalid_reason, sms_country, sms_type, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMembership = db.prepare('INSERT INTO memberships (group_id, contact_id) VALUES (?, ?)');
  const insertOptOut = db.prepare("INSERT OR IGNORE INTO opt_outs (project_id, e164, source, created_at) VALUES (?, ?, 'bench', ?)");
  const writeBatch = db.transaction((rows: ContactRow[]) => {
    for (const r of rows) {
      insertContact.run(r.id, projectId, r.externalId, r.active, r.fields, r.e164, r.status, r.reason, r.country, r.type, now, now);
      for (const g of r.groups) insertMembership.run(g, r.id);
      if (r.optedOut) insertOptOut.run(projectId, r.e164, now);
    }
  });
  return {
    write: async (rows) => writeBatch(rows),
    finish: async () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

async function postgresSink(schema: string, projectId: string): Promise<Sink> {
  const client = new Client({ connectionString: POSTGRES_URL, options: `-c search_path="${schema}"` });
  await client.connect();
  const now = Date.now();
  await client.query(
    'INSERT INTO contact_groups (id, project_id, name, created_at) SELECT g.id, $1, g.name, $3 FROM unnest($2::text[]) WITH ORDINALITY AS g(name, id)',
    [projectId, GROUPS, now],
  );
  // Indexes are built once after the load, much faster than row by row; the same definitions come back.
  const indexes = await client.query<{ indexdef: string; indexname: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('contacts', 'memberships') AND indexname NOT LIKE '%pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%'",
  );
  for (const { indexname } of indexes.rows) await client.query(`DROP INDEX "${indexname}"`);
  return {
    async write(rows) {
      const memberships = rows.flatMap((r) => r.groups.map((g) => [g, r.id]));
      const optOuts = rows.filter((r) => r.optedOut).map((r) => r.e164);
      await client.query(
        `WITH written AS (
           INSERT INTO contacts (id, project_id, external_id, active, fields, sms_e164, sms_status, sms_invalid_reason, sms_country, sms_type, created_at, updated_at)
           SELECT id, $1, "externalId", active, fields, e164, status, reason, country, type, $2, $2
           FROM json_to_recordset($3::json)
             AS r(id bigint, "externalId" text, active int, fields text, e164 text, status text, reason text, country text, type text)
         ), members AS (
           INSERT INTO memberships (group_id, contact_id) SELECT (m ->> 0)::bigint, (m ->> 1)::bigint FROM json_array_elements($4::json) AS m
         )
         INSERT INTO opt_outs (project_id, e164, source, created_at)
         SELECT $1, e164, 'bench', $2 FROM json_array_elements_text($5::json) AS e164 ON CONFLICT DO NOTHING`,
        [projectId, now, JSON.stringify(rows), JSON.stringify(memberships), JSON.stringify(optOuts)],
      );
    },
    async finish() {
      for (const { indexdef } of indexes.rows) await client.query(indexdef);
      await client.query("SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT MAX(id) FROM contacts))");
      await client.query("SELECT setval(pg_get_serial_sequence('contact_groups', 'id'), (SELECT MAX(id) FROM contact_groups))");
      // A directory imported some time ago: autovacuum has visited it.
      await client.query('VACUUM ANALYZE contacts, memberships, opt_outs');
      await client.end();
    },
  };
}
