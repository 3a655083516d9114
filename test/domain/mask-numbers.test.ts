import { maskPhoneNumbers } from '../../domain/mask-numbers';

describe('maskPhoneNumbers', () => {
  test.each([
    ['Call +1 514 555 0101 today', 'Call +1 5•• ••• ••01 today'],
    ['Votre numéro : (514) 555-0101.', 'Votre numéro : (51•) •••-••01.'],
    // Digits of other scripts are numbers too (the directory reads them since issue 14).
    ['رقمك +١ ٥١٤ ٥٥٥ ٠١٠١', 'رقمك +١ ٥•• ••• ••٠١'],
    ['شماره ۰۹۱۲۳۴۵۶۷۸۹', 'شماره ۰۹•••••••۸۹'],
    ['TEL ５１４５５５０１０１', 'TEL ５１••••••０１'],
    ['Order ١٢٣٤٥ at 9:30', 'Order ١٢٣٤٥ at 9:30'], // fewer than 7 digits in a row: left alone
  ])('%p → %p', (text, masked) => {
    expect(maskPhoneNumbers(text)).toBe(masked);
  });
});
