import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { assertNdjsonRequest, readNdjsonLines } from '../../src/http/ndjson-body';
import { PayloadTooLargeError } from '../../src/errors';

// The NDJSON body reader of POST /events: lines cut right whatever the chunks, limits in bytes and
// in non-blank lines enforced while the body arrives, and the headers judged before any of it.

/** A request whose body arrives in the given chunks. */
function requestOf(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  const body = new PassThrough();
  Object.assign(body, { headers: { 'content-type': 'application/x-ndjson', ...headers } });
  setImmediate(() => {
    for (const chunk of chunks) body.write(chunk);
    body.end();
  });
  return body as unknown as IncomingMessage;
}

const limits = { maxBytes: 1_000, maxLines: 3 };

describe('readNdjsonLines', () => {
  it('cuts lines and multi-byte characters correctly across chunk boundaries', async () => {
    const text = Buffer.from('{"reason":"réunion 会议"}\r\n\n{"b":2}\n{"c":"😀"}');
    // Every split point, so characters and newlines fall on every boundary.
    for (let cut = 1; cut < text.length; cut++) {
      const lines = await readNdjsonLines(requestOf([text.subarray(0, cut), text.subarray(cut)]), limits);
      expect(lines).toEqual(['{"reason":"réunion 会议"}\r', '', '{"b":2}', '{"c":"😀"}']);
    }
  });

  it('counts only non-blank lines towards the limit, and refuses the first line past it', async () => {
    await expect(readNdjsonLines(requestOf([Buffer.from('1\n \n2\n\t\n3\n\n')]), limits)).resolves.toEqual(['1', ' ', '2', '\t', '3', '']);
    await expect(readNdjsonLines(requestOf([Buffer.from('1\n2\n3\n4')]), limits)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('refuses a body over the byte limit, by its Content-Length or as it arrives', async () => {
    await expect(readNdjsonLines(requestOf([], { 'content-length': '1001' }), limits)).rejects.toMatchObject({ status: 413, details: [{ rule: 'size' }] });
    await expect(readNdjsonLines(requestOf([Buffer.alloc(600, 'x'), Buffer.alloc(600, 'x')]), limits)).rejects.toMatchObject({ status: 413 });
  });

  it('judges the headers: NDJSON, UTF-8, uncompressed', () => {
    const headersOf = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
    expect(() => assertNdjsonRequest(headersOf({ 'content-type': 'application/x-ndjson; charset=UTF-8' }))).not.toThrow();
    expect(() => assertNdjsonRequest(headersOf({ 'content-type': 'application/ndjson' }))).not.toThrow();
    const refused: Array<Record<string, string>> = [
      { 'content-type': 'application/json' },
      { 'content-type': 'application/x-ndjsonx' },
      { 'content-type': 'application/x-ndjson; charset=latin1' },
      { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
    ];
    for (const headers of refused) {
      expect(() => assertNdjsonRequest(headersOf(headers))).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});
