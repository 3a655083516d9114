import { numberFacts, recipientExclusion } from '../../domain/compliance/recipient-policy';
import { DEFAULT_COMPLIANCE, parseCompliance, PROVIDER_MAX_SEGMENTS, type ComplianceSettings } from '../../domain/compliance/settings';
import { addRecipient, emptyStats, type MessageStats } from '../../domain/validation/message-stats';
import { evaluateSending } from '../../domain/validation/evaluate';

const COUNTRY_NUMBER: Record<string, string> = { CA: '+15145550134', US: '+12125550134', FR: '+33612345678' };
const AT = Date.parse('2026-12-01T15:00:00Z');

function statsFor(
  recipients: { body: string; missing?: string[]; country?: string; contactId?: string; heldUntilMs?: number | null; e164?: string }[],
): MessageStats {
  const stats = emptyStats();
  recipients.forEach((r, i) =>
    addRecipient(stats, {
      contactId: r.contactId ?? `c${i + 1}`,
      body: r.body,
      missing: r.missing ?? [],
      facts: numberFacts(r.e164 ?? COUNTRY_NUMBER[r.country ?? 'CA']),
      heldUntilMs: r.heldUntilMs ?? null,
    }),
  );
  return stats;
}
const evaluate = (input: { message: string; senderId: string | null; stats: MessageStats; compliance?: ComplianceSettings }) =>
  evaluateSending({ compliance: DEFAULT_COMPLIANCE, atMs: AT, ...input });
const point = (report: ReturnType<typeof evaluateSending>, code: string) => report.points.find((p) => p.code === code)!;

describe('validation points at prepare', () => {
  test('a clean message passes every point', () => {
    const report = evaluate({
      message: 'Hi {{firstName}}, sale today. Reply STOP to opt out',
      senderId: '+15145550000',
      stats: statsFor([{ body: 'Hi Ana, sale today. Reply STOP to opt out' }]),
    });
    expect(report.blocking).toBe(false);
    expect(report.points.map((p) => `${p.code}:${p.level}`)).toEqual([
      'FIELDS_RESOLVE:pass',
      'ENCODING:pass',
      'SEGMENTS:pass',
      'COST:pass',
      'OPT_OUT_WORDING:pass',
      'SENDER_ID:pass',
      'COUNTRIES:pass',
      'NUMBER_TYPE:pass',
      'QUIET_HOURS:pass',
      'RECIPIENTS:pass',
    ]);
  });

  test('an empty personalization field fails, with the count and example contacts', () => {
    const stats = statsFor([
      { body: 'Hi , sale', missing: ['firstName'], contactId: 'c4' },
      { body: 'Hi Ben, sale' },
      { body: 'Hi , sale', missing: ['firstName'], contactId: 'c9' },
    ]);
    const report = evaluate({ message: 'Hi {{firstName}}, sale', senderId: 'ACME', stats });
    expect(report.blocking).toBe(true);
    expect(point(report, 'FIELDS_RESOLVE')).toMatchObject({
      level: 'fail',
      message: expect.stringContaining('{{firstName}} is empty for 2 recipients (e.g. contacts c4, c9)'),
      data: { missing: { firstName: 2 } },
    });
  });

  test('French accents ê and ç force UCS-2 (é and è do not): a warning naming them', () => {
    const report = evaluate({
      message: 'x',
      senderId: 'ACME',
      stats: statsFor([
        { body: 'Fête de la forêt, leçon gratuite. STOP', country: 'FR' },
        { body: 'Café, été. STOP', country: 'FR' },
      ]),
    });
    expect(point(report, 'ENCODING')).toMatchObject({ level: 'warn', data: { ucs2Recipients: 1, characters: ['ê', 'ç'] } });
  });

  test('segments: counted per recipient after personalization; over the provider cap fails', () => {
    const short = evaluate({ message: 'x', senderId: 'ACME', stats: statsFor([{ body: 'a'.repeat(160) }, { body: 'a'.repeat(161) }]) });
    expect(point(short, 'SEGMENTS')).toMatchObject({ level: 'pass', data: { min: 1, max: 2, total: 3 } });
    const long = evaluate({ message: 'x', senderId: 'ACME', stats: statsFor([{ body: 'a'.repeat(153 * PROVIDER_MAX_SEGMENTS + 1) }]) });
    expect(point(long, 'SEGMENTS')).toMatchObject({ level: 'fail', data: { max: PROVIDER_MAX_SEGMENTS + 1 } });
  });

  test("the project's segment limit blocks by default and only warns when the project says so", () => {
    const stats = statsFor([{ body: 'a'.repeat(400) }]);
    const strict = parseCompliance({ maxSegments: 2 });
    expect(point(evaluate({ message: 'x', senderId: 'ACME', stats, compliance: strict }), 'SEGMENTS')).toMatchObject({
      level: 'fail',
      message: expect.stringContaining('the project allows 2'),
    });
    const lenient = parseCompliance({ maxSegments: 2, points: { SEGMENTS: 'warn' } });
    expect(point(evaluate({ message: 'x', senderId: 'ACME', stats, compliance: lenient }), 'SEGMENTS').level).toBe('warn');
  });

  test('cost: total parts times the price per part, in the project currency', () => {
    const stats = statsFor([{ body: 'a'.repeat(161) }, { body: 'b' }, { body: 'c'.repeat(400) }]);
    expect(point(evaluate({ message: 'x', senderId: 'ACME', stats }), 'COST')).toMatchObject({
      level: 'pass',
      data: { segments: 6 },
      message: expect.stringContaining('pricePerSegment'),
    });
    const priced = parseCompliance({ pricePerSegment: 0.0079, currency: 'EUR' });
    expect(point(evaluate({ message: 'x', senderId: 'ACME', stats, compliance: priced }), 'COST')).toMatchObject({
      message: 'Estimated cost: 0.05 EUR (6 parts × 0.0079 EUR).',
      data: { segments: 6, estimate: 0.05, currency: 'EUR' },
    });
  });

  test('opt-out wording: STOP or ARRET passes, none warns, or blocks when the project says so', () => {
    const stats = statsFor([{ body: 'b' }]);
    expect(point(evaluate({ message: 'Promo. ARRET au 36180', senderId: 'ACME', stats }), 'OPT_OUT_WORDING').level).toBe('pass');
    expect(point(evaluate({ message: 'Promo today', senderId: 'ACME', stats }), 'OPT_OUT_WORDING').level).toBe('warn');
    const blocking = evaluate({
      message: 'Promo today',
      senderId: 'ACME',
      stats,
      compliance: parseCompliance({ points: { OPT_OUT_WORDING: 'block' } }),
    });
    expect(point(blocking, 'OPT_OUT_WORDING').level).toBe('fail');
    expect(blocking.blocking).toBe(true);
  });

  test.each([
    ['ACME', 'FR', 'pass'],
    ['ACME', 'US', 'fail'],
    ['ACME', 'CA', 'fail'],
    ['+15145550000', 'CA', 'pass'],
    ['TOO LONG SENDER', 'FR', 'fail'],
    ['ACME!', 'FR', 'fail'],
  ])('sender %s to %s: %s', (sender, country, level) => {
    expect(point(evaluate({ message: 'STOP', senderId: sender, stats: statsFor([{ body: 'b', country }]) }), 'SENDER_ID').level).toBe(
      level,
    );
  });

  test('countries outside the allowed list are left out and reported', () => {
    const settings = parseCompliance({ allowedCountries: ['ca', 'US'] });
    expect(recipientExclusion(numberFacts('+33612345678'), settings)).toBe('countryNotAllowed:FR');
    expect(recipientExclusion(numberFacts('+15145550134'), settings)).toBeNull();
    const stats = statsFor([{ body: 'b', country: 'CA' }]);
    stats.excluded['countryNotAllowed:FR'] = 2;
    expect(point(evaluate({ message: 'STOP', senderId: null, stats, compliance: settings }), 'COUNTRIES')).toMatchObject({
      level: 'warn',
      message: '2 recipients in countries the project does not allow (FR 2) are left out. Allowed: CA, US.',
    });
  });

  test.each([
    ['+33145678901', 'numberType:FIXED_LINE'],
    ['+33800123456', 'numberType:TOLL_FREE'],
    ['+33899123456', 'numberType:PREMIUM_RATE'],
    ['+18005550134', 'numberType:TOLL_FREE'],
    ['+33612345678', null],
    ['+12125550134', null],
  ])('number type of %s: %s', (e164, exclusion) => {
    expect(recipientExclusion(numberFacts(e164), DEFAULT_COMPLIANCE)).toBe(exclusion);
  });

  test('US/CA numbers whose type is unknown without a carrier lookup are said so', () => {
    const report = evaluate({
      message: 'STOP',
      senderId: null,
      stats: statsFor([
        { body: 'b', country: 'US' },
        { body: 'b', country: 'FR' },
      ]),
    });
    expect(point(report, 'NUMBER_TYPE')).toMatchObject({
      level: 'pass',
      data: { typeUnknown: 1 },
      message: expect.stringContaining('1 number (US/CA) cannot be told mobile or landline'),
    });
  });

  test('quiet hours: recipients held at the send time are a warning with when their windows open', () => {
    const open1 = Date.parse('2026-12-01T16:00:00Z');
    const open2 = Date.parse('2026-12-01T17:00:00Z');
    const stats = statsFor([{ body: 'b' }, { body: 'b', heldUntilMs: open1 }, { body: 'b', heldUntilMs: open2 }]);
    expect(point(evaluate({ message: 'STOP', senderId: null, stats }), 'QUIET_HOURS')).toMatchObject({
      level: 'warn',
      message:
        '2 recipients are inside quiet hours at the send time (2026-12-01 15:00 UTC): held and sent when their window opens, from 2026-12-01 16:00 UTC to 2026-12-01 17:00 UTC.',
      data: { held: 2, firstOpenMs: open1, lastOpenMs: open2 },
    });
    const blocking = evaluate({
      message: 'STOP',
      senderId: null,
      stats,
      compliance: parseCompliance({ points: { QUIET_HOURS: 'block' } }),
    });
    expect(point(blocking, 'QUIET_HOURS').level).toBe('fail');
  });
});

describe('project compliance settings', () => {
  test('unset settings keep the defaults; set ones are merged over the stored ones', () => {
    const first = parseCompliance({ pricePerSegment: 0.01, approval: { approvalsRequired: 2 } });
    const second = parseCompliance({ approval: { allowSelfApproval: true } }, first);
    expect(second).toMatchObject({
      pricePerSegment: 0.01,
      maxSegments: 10,
      approval: { approvalsRequired: 2, allowSelfApproval: true, expiresAfterHours: 72 },
    });
  });

  test.each([
    [{ maxSegments: 12 }, 'compliance.maxSegments: must be a whole number from 1 to 10 (got 12).'],
    [{ points: { ENCODING: 'stop' } }, 'compliance.points.ENCODING: "stop" is not one of block, warn.'],
    [{ points: { NOPE: 'warn' } }, 'compliance.points: "NOPE" is not one of'],
    [{ allowedCountries: ['CA', 'Canada'] }, 'compliance.allowedCountries[1]: "Canada" is not a two-letter country code'],
    [{ excludedNumberTypes: ['LANDLINE'] }, 'compliance.excludedNumberTypes[0]: "LANDLINE" is not one of FIXED_LINE'],
    [{ approval: { approvalsRequired: 0 } }, 'compliance.approval.approvalsRequired: must be a whole number from 1 to 10'],
    [{ currency: 'euro' }, 'compliance.currency: must be an ISO 4217 code'],
    [{ price: 1 }, 'compliance.price: unknown setting'],
  ])('%j is refused with the field named', (input, message) => {
    expect(() => parseCompliance(input)).toThrow(message);
  });
});
