/**
 * Bad-input catalogue, phone numbers (issue 14): each row is a number as a hostile or careless sender
 * writes it, and what every entrance does with it — the directory's contacts (what CSV import and the
 * nodes write through), the kill list (what the CLI's `opt-out` calls) and the inbound endpoint's
 * From. A refused number changes nothing: no recipient appears, the kill list stays as it was.
 * Real SQLite and PostgreSQL, real HTTP, and the CLI run as a user runs it.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AudienceSelection } from '../../domain/types';
import type { Directory } from '../../worker/directory/directory';
import { startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { STORES, openFreshSqliteDirectory } from '../support/directories';
import { openInboundTestDirectory, postJson, type InboundTestDirectory } from '../inbound/inbound-support';
import { ROOT } from '../support/paths';

/** The digits of `ascii` written in the script whose zero is `zero` (every Unicode decimal run counts up from its zero). */
const inScript = (ascii: string, zero: number): string => ascii.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
const ARABIC_INDIC = 0x0660;
const PERSIAN = 0x06f0;
const FULLWIDTH = 0xff10;
const DEVANAGARI = 0x0966;
const BENGALI = 0x09e6;
const THAI = 0x0e50;
const MATH_BOLD = 0x1d7ce;
const NKO = 0x07c0;

/** Read as a number: the E.164 form every entrance stores. */
interface Accepted {
  input: string;
  e164: string;
}

/** Refused: the reason the directory gives (`missing` for an empty one). */
interface Refused {
  input: string;
  reason: RegExp | 'missing';
}

const ACCEPTED: [string, Accepted][] = [
  ['Arabic-Indic digits', { input: inScript('+1 514 555 0111', ARABIC_INDIC), e164: '+15145550111' }],
  ['Arabic-Indic, local format', { input: inScript('(514) 555-0112', ARABIC_INDIC), e164: '+15145550112' }],
  ['Persian digits', { input: inScript('514 555 0113', PERSIAN), e164: '+15145550113' }],
  ['fullwidth digits and plus', { input: `＋${inScript('1 514 555 0114', FULLWIDTH)}`, e164: '+15145550114' }],
  ['Devanagari digits', { input: inScript('+1 514 555 0115', DEVANAGARI), e164: '+15145550115' }],
  ['Bengali digits', { input: inScript('+1 514 555 0116', BENGALI), e164: '+15145550116' }],
  ['Thai digits', { input: inScript('+1 514 555 0117', THAI), e164: '+15145550117' }],
  ['mathematical bold digits', { input: inScript('+1 514 555 0118', MATH_BOLD), e164: '+15145550118' }],
  ['NKo digits', { input: inScript('+1 514 555 0119', NKO), e164: '+15145550119' }],
  ['scripts mixed in one number', { input: `+1 ${inScript('514', ARABIC_INDIC)} 555 ${inScript('0120', PERSIAN)}`, e164: '+15145550120' }],
  ['right-to-left mark before Arabic-Indic digits', { input: `\u200f${inScript('+1 514 555 0121', ARABIC_INDIC)}`, e164: '+15145550121' }],
  ['zero-width spaces between the groups', { input: '+1\u200b514\u200b555\u200b0122', e164: '+15145550122' }],
];

const REFUSED: [string, Refused][] = [
  ['empty', { input: '', reason: 'missing' }],
  ['spaces only', { input: '   ', reason: 'missing' }],
  ['a zero-width space only', { input: '\u200b', reason: /no digits/ }],
  ['a word', { input: 'STOP', reason: /no digits/ }],
  ['numerals that are not decimal digits (Roman, circled, superscript, Han zero)', { input: 'Ⅴ①¹〇', reason: /no digits/ }],
  ['a plus sign alone', { input: '+', reason: /no digits/ }],
  ['Arabic-Indic, too short', { input: inScript('514', ARABIC_INDIC), reason: /Too short for a CA number/ }],
  ['Persian, not a valid number', { input: inScript('+1 555 555 5555', PERSIAN), reason: /Not a valid number/ }],
  ['300 digits', { input: '1'.repeat(300), reason: /Too long for a CA number/ }],
  ['unknown country calling code', { input: '+999 123 4567', reason: /Unknown country calling code/ }],
  ['two plus signs', { input: '++15145550101', reason: /Not a phone number/ }],
  ['two numbers on two lines', { input: '5145550101\n5145550102', reason: /Not a phone number/ }],
  ['a letter O for a zero', { input: '+1 (514) 555-01O1', reason: /Not a phone number/ }],
  ['hexadecimal', { input: '0x5145550101', reason: /Not a phone number/ }],
  ['a spreadsheet float', { input: '5.1455501e9', reason: /Not a phone number/ }],
];

const everyone = (projectId: string): AudienceSelection => ({ projectId, audience: 'all', groups: [], duplicatePolicy: 'perContact' });
const INBOUND_TOKEN = 'inbound-shared-token-0123456789';
const bearer = { Authorization: `Bearer ${INBOUND_TOKEN}` };

describe.each(STORES)('bad-input catalogue: phone numbers (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let server: InboundServer;
  let row = 0;

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await directory.upsertProject({ id: 'numbers', name: 'Numbers', defaultCountry: 'CA', timeZone: 'America/Toronto', smsEnabled: true });
    server = await startInboundServer({ directory, port: 0, token: INBOUND_TOKEN, log: () => undefined });
  });
  afterAll(async () => {
    await server?.close();
    await fresh?.close();
  });

  const stored = async (externalId: string) =>
    (
      await fresh.rows<{ sms_e164: string | null; sms_status: string; sms_invalid_reason: string | null }>(
        'SELECT sms_e164, sms_status, sms_invalid_reason FROM contacts WHERE project_id = ? AND external_id = ?',
        ['numbers', externalId],
      )
    )[0];

  describe('read as a number at every entrance', () => {
    test.each(ACCEPTED)('%s', async (_what, { input, e164 }) => {
      const id = `accepted-${++row}`;
      await directory.upsertContacts('numbers', [{ externalId: id, fields: { mobile: input } }]);
      expect(await stored(id)).toEqual({ sms_e164: e164, sms_status: 'valid', sms_invalid_reason: null });

      await directory.addOptOut('numbers', input, 'cli:alex');
      expect(await fresh.killList('numbers')).toContainEqual({ e164, source: 'cli:alex' });
      await directory.removeOptOut('numbers', e164);

      const inbound = await postJson(server.url, '/inbound/numbers', { from: input, body: 'STOP' }, bearer);
      expect({ status: inbound.status, body: JSON.parse(inbound.text) }).toEqual({ status: 200, body: { recorded: 'optOut' } });
      expect(await fresh.killList('numbers')).toContainEqual({ e164, source: 'inbound:STOP' });
      await directory.removeOptOut('numbers', e164);
    });
  });

  describe('refused with the reason, changing nothing', () => {
    test.each(REFUSED)('%s', async (_what, { input, reason }) => {
      const id = `refused-${++row}`;
      const audienceBefore = await directory.countAudience(everyone('numbers'));
      const killListBefore = await fresh.killList('numbers');

      // A contact keeps its profile; its number is marked unusable with the reason, and it receives nothing.
      await directory.upsertContacts('numbers', [{ externalId: id, fields: { mobile: input } }]);
      const contact = await stored(id);
      if (reason === 'missing') expect(contact).toEqual({ sms_e164: null, sms_status: 'missing', sms_invalid_reason: null });
      else expect(contact).toEqual({ sms_e164: null, sms_status: 'invalid', sms_invalid_reason: expect.stringMatching(reason) });
      expect((await directory.countAudience(everyone('numbers'))).messages).toBe(audienceBefore.messages);

      // The kill list refuses it, naming the fix.
      const killListError = await directory.addOptOut('numbers', input, 'cli:alex').then(
        () => null,
        (error: Error) => error,
      );
      expect(killListError?.name).toBe('DirectoryInputError');
      expect(killListError?.message).toMatch(reason === 'missing' ? /The number is empty\./ : reason);
      expect(killListError?.message).toMatch(/Give it in E\.164 \(\+15145551234\) or in the local format of CA\.$/);

      // The inbound endpoint answers 400 naming the field, without echoing the number.
      const inbound = await postJson(server.url, '/inbound/numbers', { from: input, body: 'STOP' }, bearer);
      expect(inbound.status).toBe(400);
      const error = JSON.parse(inbound.text).error as string;
      expect(error).toMatch(
        reason === 'missing' ? /^"from" is missing/ : /^"from" is not a usable phone number: .* Give the sender's number in E\.164/,
      );
      if (input.trim().length >= 3) expect(error).not.toContain(input.trim());

      expect(await fresh.killList('numbers')).toEqual(killListBefore);
    });
  });
});

describe("bad-input catalogue: phone numbers through the CLI's opt-out (SQLite)", () => {
  let fresh: Awaited<ReturnType<typeof openFreshSqliteDirectory>>;
  const run = promisify(execFile);
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DIRECTORY_URL: '', DIRECTORY_SQLITE_PATH: fresh.path, SMS_ACTOR: 'alex' },
    }).then(
      ({ stdout }) => ({ code: 0, out: stdout.trim() }),
      (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr.trim() }),
    );
  const killList = () => {
    const db = new Database(fresh.path, { readonly: true });
    try {
      return db.prepare('SELECT e164, source FROM opt_outs ORDER BY e164').all();
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await fresh.directory.upsertProject({ id: 'numbers', name: 'Numbers', defaultCountry: 'CA', timeZone: 'America/Toronto' });
  });
  afterAll(async () => {
    await fresh?.close();
  });

  test.each([
    ['Arabic-Indic', inScript('+1 514 555 0131', ARABIC_INDIC), '+15145550131'],
    ['Persian, local format', inScript('(514) 555-0132', PERSIAN), '+15145550132'],
  ])('%s digits are put on the kill list as E.164', async (_what, input, e164) => {
    expect(await cli('opt-out', '--project', 'numbers', input)).toEqual({ code: 0, out: 'added to the kill list' });
    expect(killList()).toContainEqual({ e164, source: 'cli:alex' });
  });

  test('a number it cannot read is refused with the reason and the fix; the kill list is unchanged', async () => {
    const before = killList();
    expect(await cli('opt-out', '--project', 'numbers', inScript('514', ARABIC_INDIC))).toEqual({
      code: 1,
      out: `error: Cannot use "${inScript('514', ARABIC_INDIC)}" on the kill list of project "numbers": Too short for a CA number. Give it in E.164 (+15145551234) or in the local format of CA.`,
    });
    expect(killList()).toEqual(before);
  });
});
