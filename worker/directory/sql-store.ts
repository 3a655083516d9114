/** The small database abstraction both stores implement, so the directory writes its SQL once. */

export type SqlDialect = 'sqlite' | 'postgres';
export type SqlParam = string | number | null;

export interface TransactionOptions {
  /**
   * Every statement of the transaction reads the same snapshot of the data (PostgreSQL
   * REPEATABLE READ). SQLite transactions always do.
   */
  consistentReads?: boolean;
}

/** SQL is written with `?` placeholders; the PostgreSQL store turns them into `$n`. */
export interface SqlStore {
  readonly dialect: SqlDialect;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** First row, if any. */
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Runs `work` in a transaction; a transaction inside a transaction joins the outer one. */
  transaction<T>(work: (tx: SqlStore) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** Rewrites `?` placeholders as `$1, $2, ...`, leaving quoted text and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let result = '';
  let index = 0;
  let quote: string | null = null;
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = null;
      result += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      result += char;
    } else if (char === '?') {
      result += `$${++index}`;
    } else {
      result += char;
    }
  }
  return result;
}

/**
 * A FROM item reading ONE `?` parameter that holds a JSON array of rows (each an array): row
 * `j.value`, its columns `j.value ->> 0`, `j.value ->> 1`... (text in PostgreSQL: CAST numbers).
 * Batches and lists go through it so every statement has one fixed text whatever the batch size.
 */
export function jsonRows(dialect: SqlDialect): string {
  return dialect === 'sqlite' ? 'json_each(?) AS j' : 'json_array_elements(CAST(? AS json)) AS j(value)';
}

/**
 * `column` is one of the values of ONE `?` parameter (`jsonListParam`). PostgreSQL gets an
 * array comparison, which it answers with an index lookup even before the table has statistics.
 */
export function inJsonList(dialect: SqlDialect, column: string, type: 'TEXT' | 'BIGINT' = 'TEXT'): string {
  const values = `SELECT CAST(j.value ->> 0 AS ${type}) FROM ${jsonRows(dialect)}`;
  return dialect === 'sqlite' ? `${column} IN (${values})` : `${column} = ANY (ARRAY(${values}))`;
}

/** The parameter for `jsonRows`. */
export function jsonRowsParam(rows: readonly (readonly SqlParam[])[]): string {
  return JSON.stringify(rows);
}

/** The parameter for `jsonRows` from a list of single values. */
export function jsonListParam(values: readonly SqlParam[]): string {
  return JSON.stringify(values.map((value) => [value]));
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
