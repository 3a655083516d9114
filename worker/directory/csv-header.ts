/** The header row of a contacts CSV: every column named once, an `id` column, a bounded number of columns. */
import { DirectoryInputError, listForMessage } from './errors';

export const MAX_CSV_COLUMNS = 500;

/** The trimmed column names of `cells`, or DirectoryInputError naming the problem and the fix. */
export function csvHeader(cells: readonly string[], line: number): string[] {
  const names = cells.map((cell) => cell.trim());
  const where = `The header (line ${line})`;
  if (names.length > MAX_CSV_COLUMNS) {
    throw new DirectoryInputError(
      `${where} has ${names.length} columns; at most ${MAX_CSV_COLUMNS} are read. Remove the columns you do not need.`,
    );
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === '')
      throw new DirectoryInputError(
        `${where} has an empty column name in column ${index + 1}: name the column, or remove it (and its values).`,
      );
    if (name === '__proto__')
      throw new DirectoryInputError(
        `${where} has the column name "__proto__" in column ${index + 1}, which cannot be a profile field: rename it.`,
      );
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new DirectoryInputError(
        `${where} names two columns alike: "${names[earlier]}" (column ${earlier + 1}) and "${name}" (column ${index + 1}); names are compared ignoring case and spaces. Rename or remove one.`,
      );
    }
    seen.set(key, index);
  });
  if (!seen.has('id')) {
    const separator = names.length === 1 ? /[;\t|]/.exec(names[0])?.[0] : undefined;
    const fix = separator
      ? `Its values look separated by ${separator === '\t' ? 'tabs' : `"${separator}"`}: save the file with commas between values (CSV, comma-delimited).`
      : "Add one holding each contact's id.";
    throw new DirectoryInputError(`The CSV has no "id" column (its columns: ${listForMessage(names)}). ${fix}`);
  }
  return names;
}
