import { addRecipient, emptyStats, type MessageStats } from '../../domain/validation/message-stats';
import { evaluateSending, MAX_SEGMENTS } from '../../domain/validation/evaluate';

function statsFor(recipients: { body: string; missing?: string[]; country?: string; contactId?: string }[]): MessageStats {
  const stats = emptyStats();
  recipients.forEach((r, i) => addRecipient(stats, { contactId: r.contactId ?? `c${i + 1}`, body: r.body, missing: r.missing ?? [], country: r.country ?? 'CA' }));
  return stats;
}
const point = (report: ReturnType<typeof evaluateSending>, code: string) => report.points.find((p) => p.code === code)!;

describe('validation points at prepare', () => {
  test('a clean message passes every point', () => {
    const report = evaluateSending({ message: 'Hi {{firstName}}, sale today. Reply STOP to opt out', senderId: '+15145550000', stats: statsFor([{ body: 'Hi Ana, sale today. Reply STOP to opt out' }]) });
    expect(report.blocking).toBe(false);
    expect(report.points.map((p) => `${p.code}:${p.level}`)).toEqual(['FIELDS_RESOLVE:pass', 'ENCODING:pass', 'SEGMENTS:pass', 'OPT_OUT_WORDING:pass', 'SENDER_ID:pass', 'RECIPIENTS:pass']);
  });

  test('an empty personalization field fails, with the count and example contacts', () => {
    const stats = statsFor([{ body: 'Hi , sale', missing: ['firstName'], contactId: 'c4' }, { body: 'Hi Ben, sale' }, { body: 'Hi , sale', missing: ['firstName'], contactId: 'c9' }]);
    const report = evaluateSending({ message: 'Hi {{firstName}}, sale', senderId: 'ACME', stats });
    expect(report.blocking).toBe(true);
    expect(point(report, 'FIELDS_RESOLVE')).toMatchObject({ level: 'fail', message: expect.stringContaining('{{firstName}} is empty for 2 recipients (e.g. contacts c4, c9)'), data: { missing: { firstName: 2 } } });
  });

  test('French accents ê and ç force UCS-2 (é and è do not): a warning naming them', () => {
    const report = evaluateSending({ message: 'x', senderId: 'ACME', stats: statsFor([{ body: 'Fête de la forêt, leçon gratuite. STOP' }, { body: 'Café, été. STOP' }], ) });
    expect(point(report, 'ENCODING')).toMatchObject({ level: 'warn', data: { ucs2Recipients: 1, characters: ['ê', 'ç'] } });
  });

  test('segments: counted per recipient after personalization; over the provider cap fails', () => {
    const short = evaluateSending({ message: 'x', senderId: 'ACME', stats: statsFor([{ body: 'a'.repeat(160) }, { body: 'a'.repeat(161) }]) });
    expect(point(short, 'SEGMENTS')).toMatchObject({ level: 'pass', data: { min: 1, max: 2, total: 3 } });
    const long = evaluateSending({ message: 'x', senderId: 'ACME', stats: statsFor([{ body: 'a'.repeat(153 * MAX_SEGMENTS + 1) }]) });
    expect(point(long, 'SEGMENTS')).toMatchObject({ level: 'fail', data: { max: MAX_SEGMENTS + 1 } });
  });

  test('opt-out wording: STOP or ARRET passes, none warns', () => {
    const stats = statsFor([{ body: 'b' }]);
    expect(point(evaluateSending({ message: 'Promo. ARRET au 36180', senderId: 'ACME', stats }), 'OPT_OUT_WORDING').level).toBe('pass');
    expect(point(evaluateSending({ message: 'Promo today', senderId: 'ACME', stats }), 'OPT_OUT_WORDING').level).toBe('warn');
  });

  test.each([
    ['ACME', 'FR', 'pass'],
    ['ACME', 'US', 'fail'],
    ['ACME', 'CA', 'fail'],
    ['+15145550000', 'CA', 'pass'],
    ['TOO LONG SENDER', 'FR', 'fail'],
    ['ACME!', 'FR', 'fail'],
  ])('sender %s to %s: %s', (sender, country, level) => {
    expect(point(evaluateSending({ message: 'STOP', senderId: sender, stats: statsFor([{ body: 'b', country }]) }), 'SENDER_ID').level).toBe(level);
  });
});
