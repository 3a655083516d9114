/**
 * Answers that refuse the account or its configuration rather than one recipient: every other message
 * would get the same answer, so the sending pauses instead of failing its whole audience.
 * Codes are Twilio's (https://www.twilio.com/docs/api/errors); the http provider may answer with them too.
 */
export const ACCOUNT_ERROR_CODES: Readonly<Record<string, string>> = {
  '20003': 'authentication failed (credentials wrong or revoked)',
  '20005': 'the account is not active (suspended or closed)',
  '20008': 'test credentials cannot send messages',
  '20404': 'the account was not found (check the account SID)',
  '21212': "the 'From' number or sender id is not valid",
  '21603': "a 'From' number or a Messaging Service is required",
  '21606': "the 'From' number cannot send SMS from this account",
  '21659': "the 'From' number is not a number of this account",
  '21701': 'the Messaging Service does not exist',
  '21703': 'the Messaging Service has no sender in its pool',
};

/** 401 and 403 refuse the caller, whatever the body says. */
export const isAccountStatus = (status: number): boolean => status === 401 || status === 403;

export const isAccountErrorCode = (code: string | undefined): boolean => code !== undefined && code in ACCOUNT_ERROR_CODES;
