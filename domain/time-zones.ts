/**
 * The time zones offered in pickers: today's IANA names (Asia/Kolkata, Europe/Kyiv), UTC first. The
 * runtime's list (ICU/CLDR) still carries names IANA has renamed; those stay accepted when typed.
 */

/** CLDR names IANA has renamed (tzdata `backward` links), old → current. */
export const RENAMED_TIME_ZONES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** `zones` (the runtime's list) with renamed zones under their current name, sorted, UTC first. */
export function pickerTimeZones(zones: readonly string[]): string[] {
  const current = new Set(zones.map((zone) => RENAMED_TIME_ZONES[zone] ?? zone));
  current.delete('UTC');
  return ['UTC', ...[...current].sort()];
}
