/**
 * The providers' HTTP client: a POST over node:http(s) on keep-alive connections, with one deadline for the
 * whole exchange (connect, request, answer and its body; the answer is given when its status comes). Not
 * fetch: on Node 24 each fetch cost ~2.5× the CPU of this request, and its answers outlived the young
 * generation, so every fetch added old-generation garbage (docs/benchmarks.md, "The providers' HTTP client").
 */
import http from 'node:http';
import https from 'node:https';

/** What a provider reads of an answer; a fetch `Response` has the same shape (tests answer with one). */
export interface HttpAnswer {
  status: number;
  statusText: string;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface HttpRequest {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type HttpTransport = (url: string, request: HttpRequest) => Promise<HttpAnswer>;

/** A provider's answer is a few hundred bytes; one that does not end within this is not an answer. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** As Node's global agents: connections kept open, the most recent reused first, an idle one closed after 5 s. */
const agentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 5000 } as const;
const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

/** The deadline passed before the answer's status came. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** An error of the request's own making (a header value with a line break): nothing was sent. */
export class RequestBuildError extends Error {
  override readonly name = 'RequestBuildError';
}

export const postOverHttp: HttpTransport = (url, { headers, body, timeoutMs }) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = client.request(target, {
        method: 'POST',
        agent: agents[target.protocol as keyof typeof agents],
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      });
    } catch (err) {
      // Node's errors come from another realm under a test sandbox: `instanceof Error` may be false.
      const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : 'error';
      reject(new RequestBuildError(name, { cause: err }));
      return;
    }
    let timedOut: DeadlineError | null = null;
    const deadline = setTimeout(() => request.destroy((timedOut = new DeadlineError(`no answer within ${timeoutMs} ms`))), timeoutMs);
    // After the deadline the connection's own errors (the answer cut short) follow: the deadline is the reason.
    request.on('error', (err) => {
      clearTimeout(deadline);
      reject(timedOut ?? err);
    });
    // The status is the provider's answer; a body cut short or endless only leaves the text unreadable, as with fetch.
    request.once('response', (response) => {
      const text = new Promise<string>((resolveText, rejectText) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_ANSWER_BYTES) response.destroy(new Error(`answer longer than ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', (err) => rejectText(timedOut ?? err));
        response.once('end', () => resolveText(Buffer.concat(chunks, bytes).toString('utf8')));
        response.once('close', () => rejectText(timedOut ?? new Error('answer cut short')));
      });
      text.catch(() => undefined).finally(() => clearTimeout(deadline));
      const status = response.statusCode ?? 0;
      const answerHeaders = response.headers;
      resolve({
        status,
        statusText: response.statusMessage ?? '',
        ok: status >= 200 && status < 300,
        headers: {
          get: (name) => {
            const value = answerHeaders[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
        },
        text: () => text,
      });
    });
    request.end(body);
  });
