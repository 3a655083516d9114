/** Project compliance settings as JSON (CLI --compliance, the directory): prototype keys and unknown keys at any depth are refused. */
import { ComplianceSettingsError, DEFAULT_COMPLIANCE, parseCompliance } from '../../domain/compliance/settings';

const refusal = (input: unknown): string => {
  try {
    parseCompliance(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ComplianceSettingsError);
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
};
const PROTOTYPE_FIX = 'a key named __proto__, constructor or prototype is not a setting and is refused: remove it.';

describe('compliance settings: prototype keys', () => {
  it.each([
    ['__proto__ at the top', '{"__proto__": {"polluted": true}}', 'compliance.__proto__'],
    ['constructor at the top', '{"constructor": {"prototype": {"polluted": true}}}', 'compliance.constructor'],
    ['prototype at the top', '{"prototype": {}}', 'compliance.prototype'],
    ['__proto__ in quietHours', '{"quietHours": {"__proto__": {"enabled": false}}}', 'compliance.quietHours.__proto__'],
    ['constructor in approval', '{"approval": {"constructor": {}}}', 'compliance.approval.constructor'],
    [
      '__proto__ in an approver',
      '{"approval": {"approvers": [{"email": "a@example.com", "name": "A", "__proto__": {}}]}}',
      'compliance.approval.approvers[0].__proto__',
    ],
    ['__proto__ in points', '{"points": {"__proto__": "warn"}}', 'compliance.points.__proto__'],
    [
      'prototype in a quiet-hours window',
      '{"quietHours": {"rules": [{"region": "FR", "windows": [{"days": ["mon"], "start": "08:00", "end": "20:00", "prototype": 1}]}]}}',
      'compliance.quietHours.rules[0].windows[0].prototype',
    ],
  ])('%s is refused with its path', (_what, json, path) => {
    expect(refusal(JSON.parse(json))).toBe(`${path}: ${PROTOTYPE_FIX}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('compliance settings: unknown keys, named with the allowed ones', () => {
  it.each([
    [
      'at the top',
      { maxSegmentz: 2 },
      `compliance.maxSegmentz: unknown setting; the settings are ${Object.keys(DEFAULT_COMPLIANCE).join(', ')}.`,
    ],
    [
      'in quietHours',
      { quietHours: { enable: false } },
      'compliance.quietHours.enable: unknown setting; the settings of quietHours are enabled, timeZoneField, rules.',
    ],
    [
      'in approval',
      { approval: { approvalRequired: 2 } },
      'compliance.approval.approvalRequired: unknown setting; the settings of approval are allowSelfApproval, approvers, requireNamedApprovers, approvalsRequired, expiresAfterHours.',
    ],
  ])('%s', (_where, input, message) => {
    expect(refusal(input)).toBe(message);
  });

  it('keeps accepting the known keys', () => {
    expect(parseCompliance({ quietHours: { enabled: false }, approval: { approvalsRequired: 2 } })).toMatchObject({
      quietHours: { enabled: false },
      approval: { approvalsRequired: 2 },
    });
  });
});
