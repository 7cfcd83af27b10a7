import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { openEventStore } from '../../src/event-store/open-event-store';
import { cliEnv, ensureCliBuilt, runMappa } from '../support/built-cli';

// `mappa import` of a file with hostile lines (issue 10, items 5 and 6): a NUL byte, nesting 5,000
// deep, a smuggled __proto__, direction overrides and terminal escapes are each refused on their
// own line with a reason; the good lines are appended; the summary is printed and the exit code
// is 1 (some lines refused), never 2 with no summary.

const GM = 'greater-manchester';

describe('mappa import of hostile lines', () => {
  let workDir: string;
  let dataDir: string;
  const run = randomUUID().slice(0, 8);
  const A = `IH-${run}-A`;
  const B = `IH-${run}-B`;
  const registration = (offenderId: string) =>
    JSON.stringify({ type: 'OffenderRegistered', offenderId, occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true } });
  const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;

  const LINES = [
    /* 1 */ registration(A),
    /* 2 */ JSON.stringify({ type: 'LevelChanged', offenderId: A, occurredOn: '2014-05-01', data: { level: 2, reason: 'meeting\u0000' } }),
    /* 3 */ `{"type":"LevelChanged","offenderId":"${A}","occurredOn":"2014-05-02","data":{"level":2,"reason":"x","extra":${deep}}}`,
    /* 4 */ `{"type":"LevelChanged","offenderId":"${A}","occurredOn":"2014-05-03","data":{"level":2,"__proto__":{"name":"John Smith","address":"1 High Street"}}}`,
    /* 5 */ JSON.stringify({ type: 'LevelChanged', offenderId: A, occurredOn: '2014-05-04', data: { level: 2, reason: 'gnit\u202eeem' } }),
    /* 6 */ JSON.stringify({ type: 'LevelChanged', offenderId: A, occurredOn: '2014-05-05', data: { level: 2 }, ['\u001b[2J\u001b[31mred']: 1 }),
    /* 7 */ JSON.stringify({ type: 'LevelChanged', offenderId: A, occurredOn: '2014-05-06', data: { level: 2, reason: 'MAPPA meeting' } }),
    /* 8 */ registration(B),
  ];
  const REFUSED: Array<[line: number, reason: RegExp]> = [
    [2, /data\.reason may not hold control characters/],
    [3, /nested more than 8 levels/],
    [4, /data\.__proto__/],
    [5, /data\.reason may not hold control characters/],
    [6, /control characters/],
  ];

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-import-hostile-'));
    dataDir = path.join(workDir, 'data');
    await ensureCliBuilt();
  }, 180_000);
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('refuses each hostile line with its reason, appends the good ones, and prints the summary', async () => {
    const file = path.join(workDir, 'hostile.ndjson');
    await writeFile(file, LINES.join('\n') + '\n');
    const result = await runMappa(['import', file], cliEnv({ DATA_DIR: dataDir }));
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: '' });
    expect(result.stdout).toMatch(/imported .*hostile\.ndjson: 3 appended, 0 duplicates, 5 refused/);

    const refusedLines = result.stdout.split('\n').filter((l) => /^line \d+: refused/.test(l));
    expect(refusedLines.map((l) => Number(/^line (\d+)/.exec(l)![1]))).toEqual(REFUSED.map(([line]) => line));
    REFUSED.forEach(([line, reason], k) => expect({ line, text: refusedLines[k] }).toEqual({ line, text: expect.stringMatching(reason) }));
    // What a caller sent is never echoed raw to the operator's terminal.
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);

    const { store, sql } = await openEventStore({ eventStore: 'embedded', dataDir });
    let stored: RecordedOffenderEvent[];
    try {
      stored = await store.readAll(null, 100);
    } finally {
      await store.close();
      await sql?.close();
    }
    expect(stored.map((e) => [e.offenderId, e.type, e.occurredOn])).toEqual([
      [A, 'OffenderRegistered', '2014-04-01'],
      [A, 'LevelChanged', '2014-05-06'],
      [B, 'OffenderRegistered', '2014-04-01'],
    ]);
    expect(JSON.stringify(stored.map((e) => e.data))).not.toMatch(/John Smith/);
  }, 120_000);
});
