import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the dev server by scripts/temporal-dev.sh; production servers need them too (docs/configuration.md). */
export const SMS_SENDING_STATE = defineSearchAttributeKey('SmsSendingState', SearchAttributeType.KEYWORD);
export const SMS_PROJECT_ID = defineSearchAttributeKey('SmsProjectId', SearchAttributeType.KEYWORD);
