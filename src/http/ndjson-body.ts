import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { isBlankLine } from '../commands/record-events/record-ndjson';
import { InvalidInputError, MappaError, PayloadTooLargeError } from '../errors';

// POST /events reads its own body after the guard, so a caller who may not write never has it read.

/** Largest NDJSON batch, in bytes and in non-blank lines (docs/security.md 4): over either is 413. */
export const NDJSON_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
export const NDJSON_MAX_LINES = 10_000;

export interface NdjsonLimits {
  maxBytes: number;
  maxLines: number;
}

const NDJSON_TYPE = /^application\/(x-)?ndjson\s*(;|$)/i;

/** Refuses (400) a request whose headers say it is not plain UTF-8 NDJSON, before reading it. */
export function assertNdjsonRequest(request: IncomingMessage): void {
  const contentType = request.headers['content-type'] ?? '';
  if (!NDJSON_TYPE.test(contentType)) {
    throw new InvalidInputError('POST /events takes NDJSON: Content-Type application/x-ndjson, one event per line.', [
      { field: 'Content-Type', rule: 'ndjson', message: 'expected application/x-ndjson' },
    ]);
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new InvalidInputError('An NDJSON batch must be sent as UTF-8.', [{ field: 'Content-Type', rule: 'charset', message: 'expected charset=utf-8' }]);
  }
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new InvalidInputError('An NDJSON batch must be sent uncompressed (no Content-Encoding).', [
      { field: 'Content-Encoding', rule: 'identity', message: 'compressed batches are not accepted' },
    ]);
  }
}

/** The body's lines, refused with 413 the moment it passes `maxBytes` or `maxLines`, before any line is recorded. */
export function readNdjsonLines(request: IncomingMessage, limits: NdjsonLimits = { maxBytes: NDJSON_BODY_LIMIT_BYTES, maxLines: NDJSON_MAX_LINES }): Promise<string[]> {
  const declared = Number(request.headers['content-length']);
  if (declared > limits.maxBytes) return Promise.reject(tooLarge(limits));
  if (request.readableEnded) return Promise.resolve([]); // nothing left to read; never wait for an 'end' already past

  return new Promise<string[]>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    const lines = new LineCollector(limits.maxLines);
    let bytes = 0;
    let settled = false;

    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error === undefined) {
        resolve(lines.lines);
        return;
      }
      // The rest of the body is read and thrown away, so the answer can be sent on this connection.
      request.resume();
      reject(error instanceof MappaError ? error : new InvalidInputError('The request body could not be read to its end.'));
    };
    const onData = (chunk: Buffer) => {
      try {
        bytes += chunk.length;
        if (bytes > limits.maxBytes) throw tooLarge(limits);
        lines.take(decoder.write(chunk));
      } catch (error) {
        finish(error);
      }
    };
    const onEnd = () => {
      try {
        lines.take(decoder.end());
        lines.end();
        finish();
      } catch (error) {
        finish(error);
      }
    };
    const onError = (error: Error) => finish(error);
    const onClose = () => finish(new InvalidInputError('The request body ended before it was complete.'));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Cuts text that arrives in pieces into lines, and throws 413 past `maxLines` non-blank ones. */
class LineCollector {
  readonly lines: string[] = [];
  private nonBlank = 0;
  /** The pieces of the line not yet ended (joined once, so a long line costs linear time). */
  private partial: string[] = [];

  constructor(private readonly maxLines: number) {}

  take(text: string): void {
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      this.partial.push(text.slice(start, newline));
      this.endLine();
      start = newline + 1;
    }
    if (start < text.length) this.partial.push(text.slice(start));
  }

  /** The last line, which has no newline after it. */
  end(): void {
    if (this.partial.length > 0) this.endLine();
  }

  private endLine(): void {
    const line = this.partial.join('');
    this.partial = [];
    this.lines.push(line);
    if (!isBlankLine(line) && ++this.nonBlank > this.maxLines) throw tooManyLines(this.maxLines);
  }
}

const tooLarge = (limits: NdjsonLimits) =>
  new PayloadTooLargeError(`An NDJSON batch may be at most ${limits.maxBytes / (1024 * 1024)} MB; split it into smaller batches.`, [
    { rule: 'size', message: `at most ${limits.maxBytes} bytes` },
  ]);

const tooManyLines = (maxLines: number) =>
  new PayloadTooLargeError(`An NDJSON batch may have at most ${maxLines.toLocaleString('en-GB')} lines; split it into smaller batches. Nothing was recorded.`, [
    { rule: 'lines', message: `at most ${maxLines} non-blank lines` },
  ]);
