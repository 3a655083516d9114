/**
 * Provider error codes that say the number itself cannot take SMS: the number is quarantined — put on
 * the project's kill list with the source `quarantine:<code>` — so later sendings skip it.
 * Codes are Twilio's (https://www.twilio.com/docs/api/errors); the http provider may answer with them too.
 */
export const QUARANTINE_CODES: Readonly<Record<string, string>> = {
  '21211': "invalid 'To' number",
  '21610': 'the recipient replied STOP to the sender (unsubscribed at the carrier)',
  '21614': 'not a mobile number',
};

export const quarantineSource = (code: string | undefined): string | null =>
  code && code in QUARANTINE_CODES ? `quarantine:${code}` : null;
