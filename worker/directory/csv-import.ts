/**
 * Streams a contacts CSV into the directory. Header row; `id` (required), `active` and `groups`
 * (`;` or `|` separated) are reserved columns, every other column is a profile field.
 */
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { ContactInput, Directory } from './directory';
import { DirectoryInputError, listForMessage } from './errors';

export interface CsvImportOptions {
  /** Contacts upserted per call (default 1000). */
  batchSize?: number;
  /** Field delimiter (default `,`). */
  delimiter?: string;
}

export interface CsvImportError {
  /** Line of the file where the row ends (the header is line 1). */
  line: number;
  message: string;
}

export interface CsvImportResult {
  imported: number;
  groupsCreated?: number;
  errors: CsvImportError[];
}

const ACTIVE_VALUES: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

export async function importContactsCsv(
  directory: Directory,
  projectId: string,
  input: string | Readable,
  options: CsvImportOptions = {},
): Promise<CsvImportResult> {
  await requireProject(directory, projectId);
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const groupsBefore = new Set((await directory.listGroups(projectId)).map((group) => group.name));
  const errors: CsvImportError[] = [];
  let header: string[] = [];
  const parser = (typeof input === 'string' ? Readable.from([input]) : input).pipe(
    parse({
      columns: (names: string[]) => (header = names.map((name) => name.trim())),
      delimiter: options.delimiter ?? ',',
      bom: true,
      trim: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  parser.on('skip', (error: CsvError) => errors.push({ line: Number(error.lines), message: error.message }));

  let imported = 0;
  let batch: ContactInput[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await directory.upsertContacts(projectId, batch);
    imported += result.inserted + result.updated;
    batch = [];
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    requireIdColumn(header);
    const contact = contactFromRecord(record);
    if (typeof contact === 'string') errors.push({ line: info.lines, message: contact });
    else batch.push(contact);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  if (header.length > 0) requireIdColumn(header);
  const groupsCreated = (await directory.listGroups(projectId)).filter((group) => !groupsBefore.has(group.name)).length;
  return { imported, groupsCreated, errors };
}

async function requireProject(directory: Directory, projectId: string): Promise<void> {
  if (await directory.getProject(projectId)) return;
  const known = (await directory.listProjects()).map((project) => project.id);
  throw new DirectoryInputError(`Unknown project "${projectId}". Known projects: ${listForMessage(known)}. Create the project before importing contacts.`);
}

function requireIdColumn(header: string[]): void {
  if (!header.some((name) => name.toLowerCase() === 'id')) {
    throw new DirectoryInputError(`The CSV has no "id" column (its columns: ${listForMessage(header)}). Add one holding each contact's id.`);
  }
}

/** The contact of a CSV row, or why the row cannot be imported. */
function contactFromRecord(record: Record<string, string>): ContactInput | string {
  const fields: Record<string, string> = {};
  let externalId = '';
  let active: boolean | undefined;
  let groups: string[] | undefined;
  for (const [column, value] of Object.entries(record)) {
    const key = column.toLowerCase();
    if (key === 'id') externalId = value ?? '';
    else if (key === 'active') {
      if (value === undefined || value === '') continue;
      active = ACTIVE_VALUES[value.toLowerCase()];
      if (active === undefined) return `Invalid "active" value "${value}": use true/false, 1/0 or yes/no. The row was skipped.`;
    } else if (key === 'groups') {
      groups = (value ?? '').split(/[;|]/).map((name) => name.trim()).filter((name) => name !== '');
    } else fields[column] = value ?? '';
  }
  if (externalId === '') return 'The "id" column is empty; every contact needs an id. The row was skipped.';
  return { externalId, fields, ...(active === undefined ? {} : { active }), ...(groups === undefined ? {} : { groups }) };
}
