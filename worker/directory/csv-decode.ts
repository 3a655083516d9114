/**
 * Bytes of a CSV file to text, refusing what would silently become something else: bytes that are
 * not valid in the file's encoding (UTF-8 unless one is given), NUL characters, and lines so long
 * that no record within the size limit can hold them (read no further: memory stays bounded).
 */
import { DirectoryInputError } from './errors';

/** The encodings `--encoding` takes; `latin1` is read as windows-1252, as the WHATWG Encoding Standard does. */
export const CSV_ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'utf-16le'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** A physical line longer than this cannot be part of a record within the record limit (4 bytes per character at most). */
export const MAX_CSV_LINE_BYTES = 256 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** The encoding `name` means (case and spaces aside, `utf8` for `utf-8`), or undefined when it is not one of CSV_ENCODINGS. */
export function knownCsvEncoding(name: string): CsvEncoding | undefined {
  const wanted = name.trim().toLowerCase();
  return CSV_ENCODINGS.find((encoding) => encoding === wanted || (wanted === 'utf8' && encoding === 'utf-8'));
}

export function csvEncoding(name: string | undefined): CsvEncoding {
  const known = knownCsvEncoding(name ?? 'utf-8');
  if (!known)
    throw new DirectoryInputError(
      `Unknown CSV encoding "${name}" (--encoding): use one of ${CSV_ENCODINGS.join(', ')} (or save the file as UTF-8).`,
    );
  return known;
}

/** The text of `chunks`; throws DirectoryInputError naming the line when the bytes cannot be read as `encoding`. */
export async function* decodeCsv(chunks: AsyncIterable<Uint8Array | string>, encodingName?: string): AsyncGenerator<string> {
  const encoding = csvEncoding(encodingName);
  const bytes = asBytes(chunks);
  if (encoding === 'utf-8') yield* decodeUtf8ByLines(bytes);
  else yield* decodeStreaming(bytes, encoding);
}

async function* asBytes(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * UTF-8 is decoded a run of whole lines at a time (a CR or LF byte is never part of a multi-byte
 * sequence), so an invalid sequence is reported with its line.
 */
async function* decodeUtf8ByLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  let line = 1;
  let first = true;
  for await (const chunk of chunks) {
    const data = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    if (first) {
      if (data.length < 2) {
        pending = data;
        continue;
      }
      refuseUtf16Mark(data);
      first = false;
    }
    let cut = lastLineBreak(data) + 1;
    // A CR at the end may be the first half of a CRLF: keep it for the next chunk so the break counts once.
    if (cut === data.length && data[cut - 1] === CR) cut -= 1;
    pending = data.subarray(cut);
    if (pending.length > MAX_CSV_LINE_BYTES) throw lineTooLong(line + countLineBreaks(data.subarray(0, cut)));
    if (cut === 0) continue;
    const text = decodeUtf8Lines(data.subarray(0, cut), line);
    line += countLineBreaks(text);
    yield text;
  }
  if (first) refuseUtf16Mark(pending);
  if (pending.length > 0) yield decodeUtf8Lines(pending, line);
}

function refuseUtf16Mark(data: Uint8Array): void {
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
    throw new DirectoryInputError(
      'The CSV starts with a UTF-16 byte-order mark, not UTF-8: give --encoding utf-16le, or save the file as "CSV UTF-8".',
    );
  }
}

function decodeUtf8Lines(bytes: Buffer, firstLine: number): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: firstLine !== 1 });
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw notUtf8(firstLine + firstInvalidUtf8Line(bytes));
  }
  refuseNul(text, firstLine, 'utf-8');
  return text;
}

/** How many lines into `bytes` the first invalid UTF-8 sequence is (0: the first line). */
function firstInvalidUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let index = 0;
  while (start < bytes.length) {
    const end = nextLineEnd(bytes, start);
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return index;
    }
    start = end;
    index += 1;
  }
  return index;
}

/** Other encodings: streamed through a fatal decoder; an error names the line it was found after. */
async function* decodeStreaming(chunks: AsyncIterable<Uint8Array>, encoding: Exclude<CsvEncoding, 'utf-8'>): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let line = 1;
  let lineLength = 0;
  const take = (decode: () => string): string => {
    let text: string;
    try {
      text = decode();
    } catch {
      throw new DirectoryInputError(
        `Line ${line} of the CSV is not valid ${decoder.encoding}: check that --encoding ${encoding} is the file's encoding, or save it as UTF-8.`,
      );
    }
    refuseNul(text, line, encoding);
    const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    lineLength = lastBreak < 0 ? lineLength + text.length : text.length - lastBreak - 1;
    if (lineLength > MAX_CSV_LINE_BYTES) throw lineTooLong(line + countLineBreaks(text));
    line += countLineBreaks(text);
    return text;
  };
  for await (const chunk of chunks) yield take(() => decoder.decode(chunk, { stream: true }));
  const rest = take(() => decoder.decode());
  if (rest) yield rest;
}

function refuseNul(text: string, firstLine: number, encoding: CsvEncoding): void {
  const at = text.indexOf('\0');
  if (at < 0) return;
  const line = firstLine + countLineBreaks(text.slice(0, at));
  const hint = encoding === 'utf-16le' ? 'remove it' : 'the file is binary or UTF-16: save it as "CSV UTF-8", or give --encoding utf-16le';
  throw new DirectoryInputError(`Line ${line} of the CSV contains a NUL character (byte 0): ${hint}.`);
}

function notUtf8(line: number): DirectoryInputError {
  return new DirectoryInputError(
    `Line ${line} of the CSV has an invalid UTF-8 sequence: save the file as "CSV UTF-8", or give its encoding with --encoding (${CSV_ENCODINGS.filter((e) => e !== 'utf-8').join(', ')}).`,
  );
}

function lineTooLong(line: number): DirectoryInputError {
  return new DirectoryInputError(
    `Line ${line} of the CSV is longer than ${MAX_CSV_LINE_BYTES / 1024} KiB, more than a record may hold: is a quote left open (a field starting with " needs a closing ")? Nothing was imported.`,
  );
}

function lastLineBreak(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] === LF || bytes[i] === CR) return i;
  return -1;
}

/** The index after the line break ending the line that starts at `start` (CRLF, LF or CR). */
function nextLineEnd(bytes: Uint8Array, start: number): number {
  for (let i = start; i < bytes.length; i++) {
    if (bytes[i] === LF) return i + 1;
    if (bytes[i] === CR) return bytes[i + 1] === LF ? i + 2 : i + 1;
  }
  return bytes.length;
}

/** Line breaks in `text`: CRLF, LF and a lone CR each count once, as csv-parse reads them. */
export function countLineBreaks(text: string | Uint8Array): number {
  const value = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  return value.match(/\r\n|\r|\n/g)?.length ?? 0;
}
