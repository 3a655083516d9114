/**
 * The values of a message's fields for one contact, as a JSON object built in SQL when the snapshot is made
 * (`{"firstName": "Ana", "city": null}`): what each recipient's message will say is frozen at preparation,
 * so an edit of the contact after approval cannot change it. Only the fields the message uses are kept.
 */
import { FIELD_NAME } from '../../domain/template';
import { DirectoryInputError } from './errors';
import type { SqlDialect, SqlParam } from './sql-store';

/** SQLite's and PostgreSQL's JSON builders take at most 100 arguments: 50 fields. */
export const MAX_MESSAGE_FIELDS = 50;

/** The SQL expression over the contacts row `alias` and its parameters. */
export function frozenFieldsSql(dialect: SqlDialect, fields: readonly string[], alias: string): { sql: string; params: SqlParam[] } {
  if (fields.length > MAX_MESSAGE_FIELDS) {
    throw new DirectoryInputError(
      `The message uses ${fields.length} different fields; at most ${MAX_MESSAGE_FIELDS} are allowed. Use fewer {{fields}}.`,
    );
  }
  const bad = fields.find((field) => !FIELD_NAME.test(field));
  if (bad !== undefined) throw new DirectoryInputError(`"${bad}" is not a field name: use letters, digits, _, - and . (e.g. firstName).`);
  if (fields.length === 0) return { sql: "'{}'", params: [] };
  const params: SqlParam[] = [];
  const pairs = fields.map((field) => {
    if (dialect === 'sqlite') {
      params.push(field, `$."${field}"`);
      return `?, json_extract(${alias}.fields, ?)`;
    }
    params.push(field, field);
    return `CAST(? AS TEXT), CAST(${alias}.fields AS json) ->> CAST(? AS TEXT)`;
  });
  return {
    sql: dialect === 'sqlite' ? `json_object(${pairs.join(', ')})` : `CAST(json_build_object(${pairs.join(', ')}) AS TEXT)`,
    params,
  };
}
