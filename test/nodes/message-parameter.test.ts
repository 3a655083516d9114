import { swallowedPlaceholders } from '../../nodes/shared/message-parameter';

describe('a Message in expression mode where n8n has blanked a personalization field', () => {
  it.each([
    ['=Hi {{firstName}}, see you', ['firstName']],
    ['=Hi {{ firstName }} {{lastName}} {{ $json.code }} {{firstName}}', ['firstName', 'lastName']],
    ['=Your {{ promo-code }} for {{address.city}}', ['promo-code', 'address.city']],
  ])('%p loses %p', (raw, names) => {
    expect(swallowedPlaceholders(raw)).toEqual(names);
  });

  it.each([
    ['fixed text keeps {{firstName}} for the sending to fill', 'Hi {{firstName}}'],
    ['[[ ]] is left alone by n8n', '=Hi [[firstName]], code {{ $json.code }}'],
    ['n8n variables and globals are expressions', '={{ $json.text }} {{ DateTime.now().toISO() }} {{ Math.PI }} {{ true }} {{ $now }}'],
    ['an expression computing the text', '={{ "Hi " + $json.name }}'],
    ['not text', 42],
  ])('%s: nothing lost', (_why, raw) => {
    expect(swallowedPlaceholders(raw)).toEqual([]);
  });
});
