/** Helpers for the inbound endpoint tests: real HTTP requests, a fresh directory whose kill list can be read back. */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { Directory } from '../../worker/directory/directory';
import { twilioSignature } from '../../worker/inbound/twilio-signature';
import { openFreshPostgresDirectory, openFreshSqliteDirectory, type StoreKind } from '../support/directories';

export interface KillListEntry {
  e164: string;
  source: string;
}

export interface InboundTestDirectory {
  directory: Directory;
  /** The project's kill list as stored (table opt_outs), sorted by number. */
  killList(projectId: string): Promise<KillListEntry[]>;
  /** Rows of a read-only query on the directory's tables (`?` placeholders). */
  rows<T>(sql: string, params: (string | number)[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openInboundTestDirectory(kind: StoreKind): Promise<InboundTestDirectory> {
  let rows: <T>(sql: string, params: (string | number)[]) => Promise<T[]>;
  let fresh: { directory: Directory; close(): Promise<void> };
  if (kind === 'sqlite') {
    const sqlite = await openFreshSqliteDirectory();
    fresh = sqlite;
    rows = async <T>(sql: string, params: (string | number)[]) => {
      const db = new Database(sqlite.path, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    };
  } else {
    const postgres = await openFreshPostgresDirectory();
    fresh = postgres;
    rows = async <T>(sql: string, params: (string | number)[]) => {
      const client = new Client({ connectionString: postgres.url });
      await client.connect();
      try {
        await client.query(`SET search_path TO "${postgres.schema}"`);
        let n = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as T[];
      } finally {
        await client.end();
      }
    };
  }
  return {
    directory: fresh.directory,
    close: () => fresh.close(),
    rows,
    killList: (projectId) => rows<KillListEntry>('SELECT e164, source FROM opt_outs WHERE project_id = ? ORDER BY e164', [projectId]),
  };
}

export interface PostResult {
  status: number;
  contentType: string | null;
  text: string;
  headers: Headers;
}

async function post(url: string, init: { headers: Record<string, string>; body: string }): Promise<PostResult> {
  const response = await fetch(url, { method: 'POST', ...init });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
    headers: response.headers,
  };
}

/**
 * Posts Twilio's inbound message webhook (form-encoded) to `serverUrl` + `path`, signed as Twilio
 * signs it for the public URL `publicUrl` + `path` (unless `signature` is given).
 */
export function postTwilio(
  serverUrl: string,
  path: string,
  params: Record<string, string>,
  signing: { authToken: string; publicUrl: string; signature?: string },
): Promise<PostResult> {
  const form = new URLSearchParams(params);
  const signature = signing.signature ?? twilioSignature(signing.authToken, `${signing.publicUrl}${path}`, Object.entries(params));
  return post(`${serverUrl}${path}`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: form.toString(),
  });
}

/** A Twilio message id, new at each call (`SM` and 32 hex digits, as Twilio's). */
export const newMessageSid = (): string => `SM${randomBytes(16).toString('hex')}`;

/** A Twilio inbound message webhook's parameters (what Twilio posts for an SMS reply), with a new MessageSid. */
export function twilioInbound(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const sid = extra.MessageSid ?? newMessageSid();
  return {
    ToCountry: 'CA',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    To: '+15145550000',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: from,
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

export function postJson(serverUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
  return post(`${serverUrl}${path}`, {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * Posts a JSON body with an X-Twilio-Signature as Twilio signs JSON: over the URL alone. With
 * `bodyHash`, the URL carries the body's SHA-256 as bodySHA256 (Twilio's scheme); without it, the
 * signature covers the URL only. `signature` overrides the computed one (a captured signature).
 */
export function postTwilioJson(
  serverUrl: string,
  path: string,
  body: unknown,
  signing: { authToken: string; publicUrl: string; bodyHash: boolean; signature?: string },
): Promise<PostResult> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const target = signing.bodyHash
    ? `${path}${path.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(text).digest('hex')}`
    : path;
  const signature = signing.signature ?? twilioSignature(signing.authToken, `${signing.publicUrl}${target}`, []);
  return post(`${serverUrl}${target}`, { headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': signature }, body: text });
}
