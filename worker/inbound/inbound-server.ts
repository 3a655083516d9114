/**
 * The inbound opt-out endpoint of the worker process: `POST /inbound/<projectId>` takes the replies
 * the SMS provider forwards (Twilio's inbound message webhook, or JSON `{from, body}`), and STOP-style
 * replies put the sender on the project's kill list (START-style ones take it off), so the next
 * dispatch skips the number. Node's own http server; docs/inbound.md. `POST /receipts/<projectId>` takes
 * delivery receipts (worker/receipts/receipt-request.ts, docs/receipts.md).
 *
 * Answers: 200 for every authenticated, well-formed message, keyword or not, so the provider does
 * not retry (form → empty TwiML, JSON → {"recorded": "optOut" | "optIn" | "ignored" | "duplicate" |
 * "outOfOrder" | "kept"}); 401 when neither a Twilio signature covering the body nor the token is
 * valid; 404 unknown path or project; 400 bad field; 405 not POST; 413 body over 64 KiB; 415 neither
 * form nor JSON. The log gets outcomes only, never a phone number, a message text or a secret.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, checkInboundSettings } from '../config';
import { authenticate, authRefusal, type InboundAuthSettings } from './inbound-auth';
import {
  formParams,
  inboundFormat,
  InboundRequestError,
  messageFromForm,
  messageFromJson,
  requireMessageId,
  unsupportedFormatError,
} from './parse-inbound';
import { recordInboundMessage, type InboundDirectory } from './record-inbound';
import { handleReceipt, type ReceiptsDirectory } from '../receipts/receipt-request';

export const INBOUND_MAX_BODY_BYTES = 64 * 1024;
/** What Twilio gets back: no reply message (Twilio itself answers STOP/START/HELP by default). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export interface InboundServerDeps extends InboundAuthSettings {
  directory: InboundDirectory & ReceiptsDirectory;
  /** SMS_HTTP_RECEIPT_SECRET: signs the http provider's delivery receipts. */
  receiptSecret?: string;
  /** 0 = any free port (tests). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** One line per request (outcome, project, keyword); default stdout. */
  log?: (line: string) => void;
  maxBodyBytes?: number;
}

export interface InboundServer {
  /** Where the server listens, e.g. http://127.0.0.1:8787 (the endpoint is `${url}/inbound/<projectId>`). */
  url: string;
  /** Stops accepting requests and resolves when the ones in flight are answered. */
  close(): Promise<void>;
}

export async function startInboundServer(deps: InboundServerDeps): Promise<InboundServer> {
  checkInboundSettings(deps);
  const host = deps.host || '127.0.0.1';
  const auth: InboundAuthSettings = {
    ...(deps.token ? { token: deps.token } : {}),
    ...(deps.twilioAuthToken ? { twilioAuthToken: deps.twilioAuthToken } : {}),
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl.replace(/\/+$/, '') } : {}),
  };
  const log = deps.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const receiptSecret = deps.receiptSecret;
  const handler = requestHandler({
    directory: deps.directory,
    auth,
    ...(receiptSecret ? { receiptSecret } : {}),
    log,
    maxBodyBytes: deps.maxBodyBytes ?? INBOUND_MAX_BODY_BYTES,
  });

  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      log(`[inbound] failed to answer: ${redacted(error)}`);
      if (!res.headersSent) res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  await listen(server, deps.port, host);
  server.on('error', (error) => log(`[inbound] server error: ${redacted(error)}`));

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () => (closing ??= stop(server)),
  };
}

interface HandlerContext {
  directory: InboundDirectory & ReceiptsDirectory;
  auth: InboundAuthSettings;
  receiptSecret?: string;
  log: (line: string) => void;
  maxBodyBytes: number;
}

function requestHandler(ctx: HandlerContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    const route = /^\/(inbound|receipts)\/([^/?#]+)\/?$/.exec(target.split('?')[0]);
    const projectId = route ? decodedSegment(route[2]) : undefined;
    const receipts = route?.[1] === 'receipts';
    if (!projectId) {
      req.resume();
      return answerError(res, ctx, new InboundRequestError(404, 'Not found: post inbound messages to /inbound/<projectId>.'));
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('Allow', 'POST');
      return answerError(res, ctx, new InboundRequestError(405, `Use POST /inbound/<projectId> (not ${String(req.method).slice(0, 10)}).`));
    }

    const contentType = req.headers['content-type'];
    const format = inboundFormat(contentType);
    const raw = await readBody(req, ctx.maxBodyBytes);
    if (raw === 'gone') return;
    if (raw === 'tooLarge') {
      res.setHeader('Connection', 'close');
      return answerError(
        res,
        ctx,
        new InboundRequestError(413, `The body is larger than ${ctx.maxBodyBytes / 1024} KiB: post one inbound message per request.`),
      );
    }

    const params = format === 'form' ? formParams(raw) : [];
    if (receipts) return answerReceipt(res, ctx, projectId, { target, headers: req.headers, format, params, body: raw });
    const verdict = authenticate(ctx.auth, { target, headers: req.headers, format, params, body: raw });
    if (verdict.by === null) {
      if (ctx.auth.token) res.setHeader('WWW-Authenticate', 'Bearer realm="inbound"');
      return answerError(res, ctx, new InboundRequestError(401, authRefusal(ctx.auth, verdict.refusal)));
    }
    const by = verdict.by;

    try {
      if (!format) throw unsupportedFormatError(contentType);
      const message = format === 'form' ? messageFromForm(params) : messageFromJson(raw);
      if (by === 'twilio') requireMessageId(message);
      const result = await recordInboundMessage(ctx.directory, projectId, message);
      const kept = result.keptSource ? `: the ${printable(result.keptSource)} entry stays on the kill list` : '';
      ctx.log(
        `[inbound] 200 ${result.recorded}${result.keyword ? ` (${result.keyword})` : ''} project=${printable(projectId)} via ${by}${kept}`,
      );
      if (format === 'form') return answer(res, 200, 'text/xml; charset=utf-8', EMPTY_TWIML);
      const answerBody = { recorded: result.recorded, ...(result.keptSource ? { keptSource: result.keptSource } : {}) };
      return answer(res, 200, 'application/json; charset=utf-8', JSON.stringify(answerBody));
    } catch (error) {
      if (error instanceof InboundRequestError) return answerError(res, ctx, error);
      ctx.log(`[inbound] 500 project=${printable(projectId)}: ${redacted(error)}`);
      return answer(
        res,
        500,
        'application/json; charset=utf-8',
        JSON.stringify({ error: 'The message could not be recorded (internal error, see the worker log). Send it again later.' }),
      );
    }
  };
}

async function answerReceipt(
  res: ServerResponse,
  ctx: HandlerContext,
  projectId: string,
  request: Parameters<typeof handleReceipt>[3],
): Promise<void> {
  try {
    const { via, result } = await handleReceipt({ ...ctx.auth, receiptSecret: ctx.receiptSecret }, ctx.directory, projectId, request);
    const listed = result.killListed ? `: kill list ${result.killListed}` : '';
    ctx.log(`[receipts] 200 ${result.outcome} project=${printable(projectId)} via ${via}${listed}`);
    if (via === 'twilio') return answer(res, 200, 'text/xml; charset=utf-8', EMPTY_TWIML);
    return answer(res, 200, 'application/json; charset=utf-8', JSON.stringify({ received: true }));
  } catch (error) {
    if (error instanceof InboundRequestError) return answerError(res, ctx, error);
    ctx.log(`[receipts] 500 project=${printable(projectId)}: ${redacted(error)}`);
    return answer(
      res,
      500,
      'application/json; charset=utf-8',
      JSON.stringify({ error: 'The receipt could not be recorded (internal error, see the worker log). Send it again later.' }),
    );
  }
}

function answerError(res: ServerResponse, ctx: HandlerContext, error: InboundRequestError): void {
  // Our messages name fields and the project id, never a number or a secret.
  ctx.log(`[inbound] ${error.status} ${printable(error.message)}`);
  answer(res, error.status, 'application/json; charset=utf-8', JSON.stringify({ error: error.message }));
}

function answer(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/** The project id from the path; none when it does not decode or holds control characters (PostgreSQL refuses NUL). */
function decodedSegment(segment: string): string | undefined {
  try {
    const id = decodeURIComponent(segment);
    return id && !/\p{Cc}/u.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The body, or 'tooLarge' (the rest is discarded), or 'gone' when the client went away. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'tooLarge' | 'gone'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve('tooLarge');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        resolve('tooLarge'); // later chunks are read and dropped
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', () => resolve('gone'));
    req.on('close', () => {
      if (!req.complete) resolve('gone');
    });
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, port, host));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `INBOUND_HTTP_PORT=${port}: port ${port} is already in use on ${host}. Stop what listens there, or set INBOUND_HTTP_PORT to a free port.`,
      );
    case 'EACCES':
      return new ConfigError(
        `INBOUND_HTTP_PORT=${port}: this process may not listen on port ${port} (ports below 1024 need privileges). Set INBOUND_HTTP_PORT to a port above 1024.`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(
        `INBOUND_HTTP_HOST=${host} is not an address of this machine: use 127.0.0.1 (behind a local proxy) or 0.0.0.0 (every interface).`,
      );
    default:
      return error;
  }
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    // A client holding a connection open must not hold the worker's shutdown.
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
  });
}

/** One log line: control characters out (the project id comes from the URL), length bounded. */
function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 300);
}

/** An error for the log with anything that looks like a phone number (digits of any script) masked. */
function redacted(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return printable(text.replace(/[+＋]?\p{Nd}[\p{Nd}\s().-]{5,}\p{Nd}/gu, '[number]'));
}
