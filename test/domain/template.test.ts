import { TemplateError, listMalformedPlaceholders, listPlaceholders, renderMessage, validateMessageText } from '../../domain/template';

describe('listPlaceholders', () => {
  it.each([
    ['Hello {{firstName}}', ['firstName']],
    ['Hi {{ firstName }} {{lastName}}, {{firstName}} again', ['firstName', 'lastName']],
    ['{{\tcity\n}} {{address.zip}} {{loyalty_tier}} {{promo-code}}', ['city', 'address.zip', 'loyalty_tier', 'promo-code']],
    ['No fields here', []],
    ['{{first name}} {{}} {{1st}} {single}', []],
    ['Hello [[firstName]]', ['firstName']],
    ['Hi [[ firstName ]] {{lastName}}, [[firstName]] and {{firstName}} again', ['firstName', 'lastName']],
    ['[[first name]] [[]] [[1st]] [single] [[a]b]]', []],
  ])('%p uses %p', (text, expected) => {
    expect(listPlaceholders(text)).toEqual(expected);
  });
});

describe('listMalformedPlaceholders', () => {
  it('lists double-brace groups that are not field names', () => {
    expect(listMalformedPlaceholders('Hi {{first name}}{{}} {{ok}} {{1st}} {{first name}}')).toEqual(['{{first name}}', '{{}}', '{{1st}}']);
  });

  it('lists double-bracket groups that are not field names', () => {
    expect(listMalformedPlaceholders('Hi [[first name]][[]] [[ok]] [[1st]]')).toEqual(['[[first name]]', '[[]]', '[[1st]]']);
  });
});

describe('renderMessage', () => {
  it('fills every placeholder, spaces inside the braces allowed', () => {
    expect(
      renderMessage('Hi {{firstName}} {{ lastName }}, your code is {{code}}. {{firstName}}!', {
        firstName: 'Ana',
        lastName: 'Lima',
        code: '42',
      }),
    ).toEqual({
      body: 'Hi Ana Lima, your code is 42. Ana!',
      missing: [],
    });
  });

  it('fills [[field]] placeholders like {{field}} ones, both in one text', () => {
    expect(
      renderMessage('Hi [[firstName]] [[ lastName ]] ({{code}}), [[firstName]]!', { firstName: 'Ana', lastName: 'Lima', code: '42' }),
    ).toEqual({
      body: 'Hi Ana Lima (42), Ana!',
      missing: [],
    });
    expect(renderMessage('[[a]]{{a}}[[b]]', { a: 'x' })).toEqual({ body: 'xx', missing: ['b'] });
  });

  it('renders missing, empty and blank fields as nothing and lists each once', () => {
    expect(renderMessage('Hi {{firstName}}{{lastName}} from {{city}} {{firstName}}', { lastName: '', city: '  ' })).toEqual({
      body: 'Hi  from  ',
      missing: ['firstName', 'lastName', 'city'],
    });
  });

  it('does not read inherited properties', () => {
    expect(renderMessage('{{constructor}}{{toString}}', {})).toEqual({ body: '', missing: ['constructor', 'toString'] });
  });

  it('leaves text without placeholders and malformed placeholders as typed', () => {
    expect(renderMessage('Reply STOP to opt out {{first name}}', { 'first name': 'x' })).toEqual({
      body: 'Reply STOP to opt out {{first name}}',
      missing: [],
    });
  });

  it('does not expand placeholders found in field values', () => {
    expect(renderMessage('{{a}}', { a: '{{b}}', b: 'no' })).toEqual({ body: '{{b}}', missing: [] });
  });
});

describe('validateMessageText', () => {
  it.each(['', '   ', '\n\t'])('refuses the empty message %p, naming the field', (text) => {
    let thrown: unknown;
    try {
      validateMessageText(text);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TemplateError);
    expect((thrown as TemplateError).field).toBe('message');
    expect((thrown as TemplateError).message).toBe(
      '"message" is empty: write the text of the SMS (personalization fields such as [[firstName]] are allowed).',
    );
  });

  it('refuses a message that is not text', () => {
    expect(() => validateMessageText(undefined)).toThrow(TemplateError);
  });

  it('accepts any non-blank text', () => {
    expect(() => validateMessageText('Hi {{firstName}}')).not.toThrow();
  });
});
