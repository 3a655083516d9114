/**
 * Streams a contacts CSV into the directory. Header row; `id` (required), `active` and `groups`
 * (`;` or `|` separated) are reserved columns, every other column is a profile field.
 *
 * All or nothing (docs/decisions.md "CSV import is all or nothing"): the rows are written in one
 * transaction while the file is read; when any row is bad the transaction is rolled back and the
 * import is refused with every bad row's line (where its record starts), the column and the fix.
 */
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { ContactInput, Directory } from './directory';
import { countLineBreaks, decodeCsv, type CsvEncoding } from './csv-decode';
import { csvHeader } from './csv-header';
import { DirectoryInputError, listForMessage } from './errors';

export interface CsvImportOptions {
  /** Contacts upserted per call (default 1000). */
  batchSize?: number;
  /** Field delimiter (default `,`). */
  delimiter?: string;
  /** Encoding of the bytes (default UTF-8; a UTF-8 byte-order mark is fine). */
  encoding?: CsvEncoding;
}

export interface CsvImportResult {
  imported: number;
  groupsCreated?: number;
}

export interface CsvRowProblem {
  /** Physical line of the file where the row's record starts (the header is line 1). */
  line: number;
  message: string;
}

/** Characters one record (a row, with its quoted line breaks) may hold. */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;
/** Bad rows listed in the refusal; the others are counted. */
export const LISTED_CSV_PROBLEMS = 100;

/** The import was refused and nothing was written: `problems` lists the first bad rows, `problemCount` counts them all. */
export class CsvImportRefused extends DirectoryInputError {
  constructor(
    readonly problems: CsvRowProblem[],
    readonly problemCount: number,
  ) {
    const more = problemCount > problems.length ? `\n  … and ${problemCount - problems.length} more bad row(s)` : '';
    super(
      `Nothing was imported: ${problemCount} row(s) of the CSV cannot be imported. Fix them and import the file again.\n${problems
        .map((problem) => `  line ${problem.line}: ${problem.message}`)
        .join('\n')}${more}`,
    );
  }
}

const ACTIVE_VALUES: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** csv-parse's codes for a broken record; after one the rest of the file cannot be read reliably. */
const STRUCTURE_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED:
    'a quoted field starts here and its closing quote is missing: add the closing ", or double a " that is part of the text ("").',
  CSV_MAX_RECORD_SIZE: `the record is longer than ${MAX_CSV_RECORD_CHARS / 1024} KiB (${MAX_CSV_RECORD_CHARS} characters): is a quote left open? Shorten the values or close the quote.`,
  CSV_INVALID_CLOSING_QUOTE: 'text follows a closing quote: a " inside a quoted field must be doubled ("").',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text follows a closing quote: a " inside a quoted field must be doubled ("").',
  INVALID_OPENING_QUOTE: 'a " appears inside a value that is not quoted: quote the whole value and double the " ("say ""hi""").',
};

export async function importContactsCsv(
  directory: Directory,
  projectId: string,
  input: string | Readable,
  options: CsvImportOptions = {},
): Promise<CsvImportResult> {
  await requireProject(directory, projectId);
  const groupsBefore = new Set((await directory.listGroups(projectId)).map((group) => group.name));
  const source = typeof input === 'string' ? Readable.from([input]) : input;
  try {
    const { inserted, updated } = await directory.upsertContactBatches(projectId, contactBatches(source, options));
    const groupsCreated = (await directory.listGroups(projectId)).filter((group) => !groupsBefore.has(group.name)).length;
    return { imported: inserted + updated, groupsCreated };
  } finally {
    source.destroy();
  }
}

async function requireProject(directory: Directory, projectId: string): Promise<void> {
  if (await directory.getProject(projectId)) return;
  const known = (await directory.listProjects()).map((project) => project.id);
  throw new DirectoryInputError(
    `Unknown project "${projectId}". Known projects: ${listForMessage(known)}. Create the project before importing contacts.`,
  );
}

/** The contacts of the file in batches; throws CsvImportRefused at the end when a row was bad (nothing is written after the first). */
async function* contactBatches(source: Readable, options: CsvImportOptions): AsyncGenerator<ContactInput[]> {
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  // A broken record (see STRUCTURE_ERRORS) ends the reading: the records parsed before it are still
  // handed over, so csv-parse is told to skip it, and the input is cut off there.
  let broken: { error: CsvError; after: number } | undefined;
  let parsed = 0;
  const parser = parse({
    delimiter: options.delimiter ?? ',',
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: true,
    trim: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_CSV_RECORD_CHARS,
    skip_records_with_error: true,
    on_record: (record) => {
      parsed += 1;
      return record;
    },
    on_skip: (error) => {
      if (broken || !error) return;
      broken = { error, after: parsed };
      text.unpipe(parser);
      parser.end();
    },
  });
  const text = Readable.from(decodeCsv(source, options.encoding));
  text.on('error', (error) => parser.destroy(error));
  text.pipe(parser);

  const problems: CsvRowProblem[] = [];
  let problemCount = 0;
  const report = (line: number, message: string) => {
    problemCount += 1;
    if (problems.length < LISTED_CSV_PROBLEMS) problems.push({ line, message });
  };
  const lineOfId = new Map<string, number>();
  let header: string[] | undefined;
  let nextLine = 1;
  let consumed = 0;
  let batch: ContactInput[] = [];
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      if (broken && consumed >= broken.after) break;
      consumed += 1;
      const line = nextLine + leadingLineBreaks(raw);
      nextLine += countLineBreaks(raw);
      if (!header) {
        header = csvHeader(record, line);
        continue;
      }
      const contact = contactFromRecord(header, record, line, lineOfId);
      if (typeof contact === 'string') report(line, contact);
      else if (problemCount === 0) batch.push(contact);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    text.destroy();
    parser.destroy();
  }
  if (broken) {
    const reason = STRUCTURE_ERRORS[broken.error.code];
    if (!reason) throw broken.error;
    report(nextLine + leadingLineBreaks(String(broken.error.raw ?? '')), `${reason} The rest of the file was not read.`);
  }
  if (!header) throw new DirectoryInputError('The CSV is empty: its first line must name the columns, one of them "id".');
  if (problemCount > 0) throw new CsvImportRefused(problems, problemCount);
  if (batch.length > 0) yield batch;
}

/** Line breaks before the record's text: the empty lines csv-parse skipped. */
function leadingLineBreaks(raw: string): number {
  return countLineBreaks(/^(?:[ \t]*(?:\r\n|\r|\n))*/.exec(raw)?.[0] ?? '');
}

/** The contact of a CSV row, or why the row cannot be imported (naming the column and the fix). */
function contactFromRecord(header: string[], record: string[], line: number, lineOfId: Map<string, number>): ContactInput | string {
  if (record.length !== header.length) {
    return `${record.length} values for the ${header.length} columns of the header: quote a value that holds the delimiter ("Roy, Jr") and give every row one value per column.`;
  }
  const fields: Record<string, string> = {};
  let externalId = '';
  let active: boolean | undefined;
  let groups: string[] | undefined;
  for (const [index, column] of header.entries()) {
    const value = record[index];
    const key = column.toLowerCase();
    if (key === 'id') externalId = value;
    else if (key === 'active') {
      if (value === '') continue;
      active = ACTIVE_VALUES[value.toLowerCase()];
      if (active === undefined)
        return `column "${column}" is "${shorten(value)}": use true/false, 1/0 or yes/no, or leave it empty to keep the contact's state.`;
    } else if (key === 'groups') {
      groups = value
        .split(/[;|]/)
        .map((name) => name.trim())
        .filter((name) => name !== '');
    } else fields[column] = value;
  }
  if (externalId === '') return `column "${header.find((name) => name.toLowerCase() === 'id')}" is empty: every contact needs an id.`;
  const earlier = lineOfId.get(externalId);
  if (earlier !== undefined) return `id "${shorten(externalId)}" is already on line ${earlier}: give each contact one row.`;
  lineOfId.set(externalId, line);
  return { externalId, fields, ...(active === undefined ? {} : { active }), ...(groups === undefined ? {} : { groups }) };
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
