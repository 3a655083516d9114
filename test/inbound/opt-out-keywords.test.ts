import { classifyInboundMessage, foldKeywordText, OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS } from '../../domain/opt-out-keywords';

describe('inbound opt-out keywords', () => {
  test.each([
    ['STOP', 'STOP'],
    ['stop', 'STOP'],
    [' Stop ', 'STOP'],
    ['stop.', 'STOP'],
    ['STOP!!', 'STOP'],
    ['"Stop"', 'STOP'],
    ['\u200bSTOP\n', 'STOP'],
    ['ＳＴＯＰ', 'STOP'], // full-width letters
    ['StopAll', 'STOPALL'],
    ['stop all', 'STOPALL'],
    ['Unsubscribe', 'UNSUBSCRIBE'],
    ['cancel', 'CANCEL'],
    ['End.', 'END'],
    ['quit', 'QUIT'],
    ['OPTOUT', 'OPTOUT'],
    ['opt-out', 'OPTOUT'],
    ['Opt  out', 'OPTOUT'],
    ['revoke', 'REVOKE'],
    ['Arrêt', 'ARRET'],
    ['ARRET', 'ARRET'],
    ['arrêt !', 'ARRET'],
    ['Stopp', 'STOPP'],
    ['¡Baja!', 'BAJA'],
    ['baja', 'BAJA'],
  ])('%p opts out (%s)', (body, keyword) => {
    expect(classifyInboundMessage(body)).toEqual({ intent: 'optOut', keyword });
  });

  test.each([
    ['START', 'START'],
    ['start', 'START'],
    ['Unstop', 'UNSTOP'],
    ['yes', 'YES'],
    ['Yes!', 'YES'],
    ['subscribe', 'SUBSCRIBE'],
  ])('%p opts back in (%s)', (body, keyword) => {
    expect(classifyInboundMessage(body)).toEqual({ intent: 'optIn', keyword });
  });

  // Twilio acts only when the keyword is the whole message; so do we.
  test.each([
    'STOP please',
    'please stop',
    'Stop sending me this',
    'stopping',
    'S T O P',
    'STOP STOP',
    'yes please',
    'HELP',
    'INFO',
    'Thanks!',
    '',
    '   ',
    '...',
    'STOP 🙏',
  ])('%p is not a keyword', (body) => {
    expect(classifyInboundMessage(body)).toEqual({ intent: null });
  });

  test('null and undefined bodies (a media-only message) are not keywords', () => {
    expect(classifyInboundMessage(undefined)).toEqual({ intent: null });
    expect(classifyInboundMessage(null)).toEqual({ intent: null });
  });

  test('folding: trimmed, upper case, accents and surrounding punctuation gone, inner spaces collapsed', () => {
    expect(foldKeywordText('  ¿Arrêt?  ')).toBe('ARRET');
    expect(foldKeywordText('opt\t-\tout')).toBe('OPT - OUT');
    expect(foldKeywordText('Opt-Out.')).toBe('OPT-OUT');
  });

  test('the canonical lists cover Twilio/CTIA defaults and the local-language keywords', () => {
    expect(OPT_OUT_KEYWORDS).toEqual([
      'STOP',
      'STOPALL',
      'UNSUBSCRIBE',
      'CANCEL',
      'END',
      'QUIT',
      'OPTOUT',
      'REVOKE',
      'ARRET',
      'STOPP',
      'BAJA',
    ]);
    expect(OPT_IN_KEYWORDS).toEqual(['START', 'UNSTOP', 'YES', 'SUBSCRIBE']);
    for (const keyword of [...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS])
      expect(classifyInboundMessage(keyword.toLowerCase()).intent).not.toBeNull();
  });
});
