/**
 * Bad-input catalogue, CSV import (issue 14): each row is a contacts file as a hostile or careless
 * sender writes it, and what the import does with it — refused with the error naming the line, the
 * column and the fix, the directory unchanged (every contact, group and membership as before), or
 * accepted as docs/bad-input.md says. Real SQLite and PostgreSQL.
 */
import { Readable } from 'node:stream';
import { CsvImportRefused, importContactsCsv, type CsvImportOptions } from '../../worker/directory/csv-import';
import type { Directory } from '../../worker/directory/directory';
import { STORES } from '../support/directories';
import { openInboundTestDirectory, type InboundTestDirectory } from '../inbound/inbound-support';

const PROJECT = 'catalogue';
const latin1 = (text: string) => Buffer.from(text, 'latin1');
const utf16le = (text: string, bom = true) =>
  Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
/** The bytes of `text` one by one: every multi-byte sequence and CRLF split across chunks. */
const byteByByte = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => Buffer.from([byte]));
const rows = (count: number, row: (index: number) => string) => Array.from({ length: count }, (_, index) => row(index)).join('\n');

interface Case {
  /** The file: text, bytes, or bytes in the chunks a stream hands over. */
  csv: string | Buffer | Buffer[];
  options?: CsvImportOptions;
}

/** Refused: the whole message, or (for long ones) a pattern it matches. */
interface Refused extends Case {
  error: string | RegExp;
}

/** Accepted: what the directory then holds for the file's contacts (profile fields; active and groups when given). */
interface Accepted extends Case {
  contacts: Record<string, { fields: Record<string, string>; active?: boolean; groups?: string[] }>;
}

const refusedRows = (...lines: string[]) =>
  `Nothing was imported: ${lines.length} row(s) of the CSV cannot be imported. Fix them and import the file again.\n${lines.map((line) => `  ${line}`).join('\n')}`;
const UNCLOSED =
  'a quoted field starts here and its closing quote is missing: add the closing ", or double a " that is part of the text (""). The rest of the file was not read.';
const AFTER_CLOSING = 'text follows a closing quote: a " inside a quoted field must be doubled (""). The rest of the file was not read.';
const INSIDE_UNQUOTED =
  'a " appears inside a value that is not quoted: quote the whole value and double the " ("say ""hi"""). The rest of the file was not read.';
const TOO_LONG_RECORD =
  'the record is longer than 64 KiB (65536 characters): is a quote left open? Shorten the values or close the quote. The rest of the file was not read.';
const notUtf8 = (line: number) =>
  `Line ${line} of the CSV has an invalid UTF-8 sequence: save the file as "CSV UTF-8", or give its encoding with --encoding (windows-1252, latin1, utf-16le).`;
const ACTIVE_FIX = "use true/false, 1/0 or yes/no, or leave it empty to keep the contact's state.";
const COLUMN_COUNT_FIX = 'quote a value that holds the delimiter ("Roy, Jr") and give every row one value per column.';

const REFUSED: [string, Refused][] = [
  [
    'a stray opening quote on line 3 of a 1,002-row file',
    {
      csv: `id,name,mobile\nr0,Ann,514 555 0100\nr1,"Bob,514 555 0101\n${rows(1000, (i) => `r${i + 2},N${i},514 555 0102`)}\n`,
      error: refusedRows(`line 3: ${UNCLOSED}`),
    },
  ],
  ['an unclosed quote in the last row', { csv: 'id,name\nr1,Ann\nr2,"Bob\n', error: refusedRows(`line 3: ${UNCLOSED}`) }],
  ['text after a closing quote', { csv: 'id,name\nr1,"Ann" Jr\n', error: refusedRows(`line 2: ${AFTER_CLOSING}`) }],
  ['a quote inside an unquoted value', { csv: 'id,name\nr1,Ann\nr2,say "hi"\n', error: refusedRows(`line 3: ${INSIDE_UNQUOTED}`) }],
  [
    'a quoted record of 70,000 characters over many lines, starting on line 3',
    {
      csv: `id,note\nr1,ok\nr2,"${'x'.repeat(99)}\n`.concat(`${'y'.repeat(99)}\n`.repeat(700), '"\n'),
      error: refusedRows(`line 3: ${TOO_LONG_RECORD}`),
    },
  ],
  [
    'one line of 300 KiB (an unclosed field without line breaks)',
    { csv: `id,note\nr1,"${'x'.repeat(300 * 1024)}\n`, error: refusedRows(`line 2: ${TOO_LONG_RECORD}`) },
  ],
  [
    'a NUL byte in a value',
    {
      csv: 'id,name\nr1,Ann\nr2,Bo\0b\n',
      error:
        'Line 3 of the CSV contains a NUL character (byte 0): the file is binary or UTF-16: save it as "CSV UTF-8", or give --encoding utf-16le.',
    },
  ],
  ['Latin-1 text without --encoding', { csv: latin1('id,name\nr1,Ann\nr2,André\n'), error: notUtf8(3) }],
  ['Windows-1252 curly quotes without --encoding', { csv: latin1('id,name\nr1,\x93Ann\x94\n'), error: notUtf8(2) }],
  [
    'UTF-16LE with its byte-order mark, without --encoding',
    {
      csv: utf16le('id,name\nr1,Ann\n'),
      error: 'The CSV starts with a UTF-16 byte-order mark, not UTF-8: give --encoding utf-16le, or save the file as "CSV UTF-8".',
    },
  ],
  [
    'UTF-16LE without a byte-order mark, without --encoding',
    {
      csv: utf16le('id,name\nr1,Ann\n', false),
      error:
        'Line 1 of the CSV contains a NUL character (byte 0): the file is binary or UTF-16: save it as "CSV UTF-8", or give --encoding utf-16le.',
    },
  ],
  ['a UTF-8 sequence cut off at the end of the file', { csv: bytes('id,name\nr1,Andr', [0xc3]), error: notUtf8(2) }],
  ['an overlong UTF-8 encoding of "/"', { csv: bytes('id,name\nr1,Ann\nr2,a', [0xc0, 0xaf], 'b\n'), error: notUtf8(3) }],
  ['a UTF-16 surrogate encoded as UTF-8', { csv: bytes('id,name\nr1,', [0xed, 0xa0, 0x80], '\n'), error: notUtf8(2) }],
  [
    'a lone surrogate with --encoding utf-16le',
    {
      csv: Buffer.concat([utf16le('id,name\nr1,'), Buffer.from([0x00, 0xd8]), Buffer.from('A\n', 'utf16le')]),
      options: { encoding: 'utf-16le' },
      error: "Line 1 of the CSV is not valid utf-16le: check that --encoding utf-16le is the file's encoding, or save it as UTF-8.",
    },
  ],
  [
    'the columns "id" and "ID"',
    {
      csv: 'id,name,ID\nr1,Ann,x\n',
      error:
        'The header (line 1) names two columns alike: "id" (column 1) and "ID" (column 3); names are compared ignoring case and spaces. Rename or remove one.',
    },
  ],
  [
    'the columns " mobile" and "Mobile "',
    {
      csv: 'id, mobile,Mobile \nr1,1,2\n',
      error:
        'The header (line 1) names two columns alike: "mobile" (column 2) and "Mobile" (column 3); names are compared ignoring case and spaces. Rename or remove one.',
    },
  ],
  [
    'an empty column name',
    {
      csv: 'id,,mobile\nr1,x,514 555 0101\n',
      error: 'The header (line 1) has an empty column name in column 2: name the column, or remove it (and its values).',
    },
  ],
  [
    'a trailing delimiter in the header',
    {
      csv: 'id,mobile,\nr1,514 555 0101,\n',
      error: 'The header (line 1) has an empty column name in column 3: name the column, or remove it (and its values).',
    },
  ],
  [
    'a column named __proto__',
    {
      csv: 'id,__proto__\nr1,x\n',
      error: 'The header (line 1) has the column name "__proto__" in column 2, which cannot be a profile field: rename it.',
    },
  ],
  [
    '501 columns',
    {
      csv: `id,${rows(500, (i) => `c${i}`).replace(/\n/g, ',')}\nr1${','.repeat(500)}\n`,
      error: 'The header (line 1) has 501 columns; at most 500 are read. Remove the columns you do not need.',
    },
  ],
  [
    'no id column',
    {
      csv: 'name,mobile\nAnn,514 555 0101\n',
      error: 'The CSV has no "id" column (its columns: name, mobile). Add one holding each contact\'s id.',
    },
  ],
  [
    'semicolons as separators (a spreadsheet in a comma-decimal locale)',
    {
      csv: 'id;name;mobile\nr1;Ann;514 555 0101\n',
      error:
        'The CSV has no "id" column (its columns: id;name;mobile). Its values look separated by ";": save the file with commas between values (CSV, comma-delimited).',
    },
  ],
  [
    'tabs as separators',
    {
      csv: 'id\tname\nr1\tAnn\n',
      error:
        'The CSV has no "id" column (its columns: id\tname). Its values look separated by tabs: save the file with commas between values (CSV, comma-delimited).',
    },
  ],
  ['an empty file', { csv: '', error: 'The CSV is empty: its first line must name the columns, one of them "id".' }],
  [
    'a byte-order mark and blank lines only',
    { csv: '\uFEFF\n\r\n\n', error: 'The CSV is empty: its first line must name the columns, one of them "id".' },
  ],
  [
    'more values than columns',
    { csv: 'id,name\nr1,Roy, Jr\n', error: refusedRows(`line 2: 3 values for the 2 columns of the header: ${COLUMN_COUNT_FIX}`) },
  ],
  [
    'fewer values than columns',
    { csv: 'id,name,mobile\nr1,Ann\n', error: refusedRows(`line 2: 2 values for the 3 columns of the header: ${COLUMN_COUNT_FIX}`) },
  ],
  ['an empty id', { csv: 'id,name\n,Ann\n', error: refusedRows('line 2: column "id" is empty: every contact needs an id.') }],
  ['an id of spaces', { csv: 'ID,name\n   ,Ann\n', error: refusedRows('line 2: column "ID" is empty: every contact needs an id.') }],
  [
    'active values that are not booleans, after a row with a quoted line break',
    {
      csv: 'id,active,note\nr1,maybe,x\nr2,on,"two\nlines"\nr3,2,x\nr4,yes,x\nr5,-1,x\n',
      error: refusedRows(
        `line 2: column "active" is "maybe": ${ACTIVE_FIX}`,
        `line 3: column "active" is "on": ${ACTIVE_FIX}`,
        `line 5: column "active" is "2": ${ACTIVE_FIX}`,
        `line 7: column "active" is "-1": ${ACTIVE_FIX}`,
      ),
    },
  ],
  [
    'an id given twice',
    { csv: 'id,name\nr1,Ann\n\nr1,Bob\n', error: refusedRows('line 4: id "r1" is already on line 2: give each contact one row.') },
  ],
  [
    '150 bad rows: the first 100 are listed, the rest counted',
    {
      csv: `id,active\n${rows(150, (i) => `r${i},perhaps`)}\n`,
      error: new RegExp(
        `^Nothing was imported: 150 row\\(s\\) .*\\n  line 2: .*(\\n  line \\d+: .*){99}\\n  … and 50 more bad row\\(s\\)$`,
      ),
    },
  ],
  [
    'invalid UTF-8 on line 3, read one byte at a time',
    { csv: [...byteByByte('id,name\r\nr1,Zoë\r\nr2,'), Buffer.from([0xe9]), ...byteByByte('\r\n')], error: notUtf8(3) },
  ],
  [
    'an unknown --encoding',
    {
      csv: 'id\nr1\n',
      options: { encoding: 'ebcdic' as never },
      error: 'Unknown CSV encoding "ebcdic" (--encoding): use one of utf-8, windows-1252, latin1, utf-16le (or save the file as UTF-8).',
    },
  ],
];

const ACCEPTED: [string, Accepted][] = [
  ['a UTF-8 byte-order mark before the header', { csv: '\uFEFFid,name\r\na1,Ann\r\n', contacts: { a1: { fields: { name: 'Ann' } } } }],
  [
    'CRLF, LF and CR line ends mixed, a quoted CRLF kept',
    {
      csv: 'id,note\r\na2,one\na3,"two\r\nlines"\ra4,three',
      contacts: { a2: { fields: { note: 'one' } }, a3: { fields: { note: 'two\r\nlines' } }, a4: { fields: { note: 'three' } } },
    },
  ],
  [
    'formula cells, stored as the text they are (neutralized when the product writes a CSV)',
    {
      csv: 'id,firstName,city,note\na5,"=HYPERLINK(""http://evil.example"",""x"")",+cmd|\' /C calc\'!A0,@SUM(1+1)\na6,-2+3,\t=1,=1\n',
      contacts: {
        a5: { fields: { firstName: '=HYPERLINK("http://evil.example","x")', city: "+cmd|' /C calc'!A0", note: '@SUM(1+1)' } },
        a6: { fields: { firstName: '-2+3', city: '=1', note: '=1' } },
      },
    },
  ],
  [
    'groups with odd separators: only ; and | separate, empty names dropped, a comma stays in the name',
    {
      csv: 'id,groups\na7, vip ;; news |staff|\na8,"north, south"\n',
      contacts: { a7: { fields: {}, groups: ['news', 'staff', 'vip'] }, a8: { fields: {}, groups: ['north, south'] } },
    },
  ],
  [
    'numbers that are not phone numbers: the contact is kept, its number marked invalid (see the phone-numbers catalogue)',
    {
      csv: 'id,mobile\na9,not a number\na10,5.1455501e9\n',
      contacts: { a9: { fields: { mobile: 'not a number' } }, a10: { fields: { mobile: '5.1455501e9' } } },
    },
  ],
  [
    'active written TRUE, No and 0',
    {
      csv: 'id,active\na11,TRUE\na12,No\na13,0\n',
      contacts: { a11: { fields: {}, active: true }, a12: { fields: {}, active: false }, a13: { fields: {}, active: false } },
    },
  ],
  [
    'Latin-1 with --encoding latin1',
    { csv: latin1('id,name\na14,André Côté\n'), options: { encoding: 'latin1' }, contacts: { a14: { fields: { name: 'André Côté' } } } },
  ],
  [
    'Windows-1252 curly quotes with --encoding windows-1252',
    {
      csv: latin1('id,name\na15,\x93Ann\x94 \x80\n'),
      options: { encoding: 'windows-1252' },
      contacts: { a15: { fields: { name: '“Ann” €' } } },
    },
  ],
  [
    'UTF-16LE with --encoding utf-16le',
    { csv: utf16le('id,name\r\na16,Zoë 日本\r\n'), options: { encoding: 'utf-16le' }, contacts: { a16: { fields: { name: 'Zoë 日本' } } } },
  ],
  [
    'UTF-8 with a byte-order mark read one byte at a time',
    { csv: byteByByte('\uFEFFid,name\r\na20,Zoë 日本\r\n'), contacts: { a20: { fields: { name: 'Zoë 日本' } } } },
  ],
  [
    'blank lines, and spaces around values',
    { csv: '\n id , name \n\n  a17 ,  Ann Lee  \n\n', contacts: { a17: { fields: { name: 'Ann Lee' } } } },
  ],
  [
    '500 columns',
    {
      csv: `id,${rows(499, (i) => `c${i}`).replace(/\n/g, ',')}\na18${',v'.repeat(499)}\n`,
      contacts: { a18: { fields: Object.fromEntries(Array.from({ length: 499 }, (_, i) => [`c${i}`, 'v'])) } },
    },
  ],
  [
    'a quoted record just under 64 KiB',
    { csv: `id,note\na19,"${'z'.repeat(65_000)}"\n`, contacts: { a19: { fields: { note: 'z'.repeat(65_000) } } } },
  ],
];

interface ContactRow {
  external_id: string;
  active: number | boolean;
  fields: string;
  sms_e164: string | null;
  sms_status: string;
  updated_at: number | string;
}

describe.each(STORES)('bad-input catalogue: CSV import (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await directory.upsertProject({ id: PROJECT, name: 'Catalogue', defaultCountry: 'CA', timeZone: 'America/Toronto' });
    await importContactsCsv(directory, PROJECT, 'id,name,mobile,groups\nr1,Ann,514 555 0101,vip\nold,Olga,514 555 0109,news\n');
  });
  afterAll(() => fresh?.close());

  /** Every contact of the project with its groups, and every group: what a refused import must leave as it was. */
  const directoryState = async () => ({
    contacts: await fresh.rows<ContactRow>(
      'SELECT external_id, active, fields, sms_e164, sms_status, updated_at FROM contacts WHERE project_id = ? ORDER BY external_id',
      [PROJECT],
    ),
    memberships: await fresh.rows(
      'SELECT g.name, c.external_id FROM memberships m JOIN contact_groups g ON g.id = m.group_id JOIN contacts c ON c.id = m.contact_id WHERE c.project_id = ? ORDER BY g.name, c.external_id',
      [PROJECT],
    ),
    groups: await directory.listGroups(PROJECT),
  });
  const input = (csv: Case['csv']) => (typeof csv === 'string' ? csv : Readable.from(Array.isArray(csv) ? csv : [csv]));

  describe('refused with the line, the column and the fix, changing nothing', () => {
    test.each(REFUSED)('%s', async (_what, { csv, options, error }) => {
      const before = await directoryState();
      expect(before.contacts.map((contact) => contact.external_id)).toEqual(['old', 'r1']);
      const refused = await importContactsCsv(directory, PROJECT, input(csv), { batchSize: 1, ...options }).then(
        () => null,
        (err: Error) => err,
      );
      expect(refused?.name).toBe('DirectoryInputError');
      if (typeof error === 'string') expect(refused?.message).toBe(error);
      else expect(refused?.message).toMatch(error);
      expect(await directoryState()).toEqual(before);
    });
  });

  describe('accepted as documented', () => {
    test.each(ACCEPTED)('%s', async (_what, { csv, options, contacts }) => {
      const result = await importContactsCsv(directory, PROJECT, input(csv), options);
      expect(result.imported).toBe(Object.keys(contacts).length);
      const ids = Object.keys(contacts);
      const stored = (await directoryState()).contacts.filter((contact) => ids.includes(contact.external_id));
      const memberships = (await directoryState()).memberships as { name: string; external_id: string }[];
      expect(
        Object.fromEntries(
          stored.map((contact) => {
            const expected = contacts[contact.external_id];
            const groups = memberships.filter((member) => member.external_id === contact.external_id).map((member) => member.name);
            return [
              contact.external_id,
              {
                fields: JSON.parse(contact.fields),
                ...(expected.active === undefined ? {} : { active: Boolean(contact.active) }),
                ...(expected.groups ? { groups } : {}),
              },
            ];
          }),
        ),
      ).toEqual(contacts);
    });
  });

  test('a refusal is a CsvImportRefused listing each bad row, so a program can show them', async () => {
    const refused = await importContactsCsv(directory, PROJECT, 'id,active\nx1,nope\n\nx2,yes\nx3,\nx4,sometimes\n').catch(
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(CsvImportRefused);
    expect((refused as CsvImportRefused).problemCount).toBe(2);
    expect((refused as CsvImportRefused).problems.map((problem) => problem.line)).toEqual([2, 6]);
  });
});

describe('bad-input catalogue: CSV import memory (SQLite directory)', () => {
  let fresh: InboundTestDirectory;

  beforeAll(async () => {
    fresh = await openInboundTestDirectory('sqlite');
    await fresh.directory.upsertProject({ id: PROJECT, name: 'Catalogue', defaultCountry: 'CA', timeZone: 'America/Toronto' });
  });
  afterAll(() => fresh?.close());

  /** An 80 MiB file made as it is read: the header, one good row, then one field opened and never closed. */
  function hugeUnclosedField(chunk: string): { stream: Readable; bytesRead: () => number } {
    const total = 80 * 1024 * 1024;
    let produced = 0;
    const stream = new Readable({
      read() {
        if (produced === 0) {
          produced += 24;
          this.push('id,note\nr1,fine\nr2,"');
        } else if (produced >= total) this.push(null);
        else {
          const piece = Buffer.from(chunk.repeat((64 * 1024) / chunk.length));
          produced += piece.length;
          this.push(piece);
        }
      },
    });
    return { stream, bytesRead: () => produced };
  }

  test.each([
    [
      'on one line',
      'x',
      'Line 3 of the CSV is longer than 256 KiB, more than a record may hold: is a quote left open (a field starting with " needs a closing ")? Nothing was imported.',
    ],
    ['over many lines', 'xxxxxxx\n', refusedRows(`line 3: ${TOO_LONG_RECORD}`)],
  ])('an unclosed 80 MiB field %s is refused after reading less than 1 MiB, with bounded memory', async (_what, chunk, error) => {
    const { stream, bytesRead } = hugeUnclosedField(chunk);
    const heapBefore = process.memoryUsage().heapUsed;
    await expect(importContactsCsv(fresh.directory, PROJECT, stream)).rejects.toThrow(error);
    expect(bytesRead()).toBeLessThan(1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
    expect(stream.destroyed).toBe(true);
    expect(await fresh.rows('SELECT external_id FROM contacts', [])).toEqual([]);
  });
});
