/**
 * People (preparers, approvers) are compared by a canonical form of what identifies them: Unicode NFKC
 * (fullwidth and compatibility letters become plain ones), full case folding, no invisible characters
 * (zero-width spaces, joiners, direction marks, variation selectors, soft hyphens), spaces collapsed.
 * "paula", "PAULA", "Ｐａｕｌａ" and "paula" followed by a zero-width space are one person. Pure.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

export function canonicalIdentity(name: string): string {
  const visible = name.normalize('NFKC').replace(INVISIBLE, '');
  // Upper then lower case folds what lower case alone keeps apart (ß and SS).
  return visible.toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

export const samePerson = (a: string, b: string): boolean => canonicalIdentity(a) === canonicalIdentity(b);
