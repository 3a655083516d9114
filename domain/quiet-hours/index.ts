/** Quiet hours, judged in the recipient's local time: rules as data, the recipient's place, the check. */
export {
  DEFAULT_QUIET_HOURS_RULES,
  WEEKDAYS,
  mergeQuietHoursRules,
  parseQuietHoursRules,
  ruleFor,
  type QuietHoursRule,
  type QuietHoursWindow,
  type Weekday,
} from './rules';
export { HOLIDAY_COUNTRIES, easterSunday, isPublicHoliday, publicHolidays } from './holidays';
export { placeOfNumber, placeOfRecipient, type PlaceOptions, type RecipientPlace } from './place';
export { QUIET_HOURS_HORIZON_DAYS, createQuietHoursChecker, isAllowedAt, nextAllowedMs, type QuietHoursChecker } from './next-allowed';
