import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentEventId } from '../../src/commands/record-events/event-input';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { openEventStore } from '../../src/event-store/open-event-store';
import { cliEnv, ensureCliBuilt, runMappa } from '../support/built-cli';

// `mappa import FILE.ndjson` (INTERFACES.md, "Command line") as a user runs it: the same
// validation as the API, every refused line reported with its number and reason, a non-zero exit
// if any line was refused, and a second import of the same file appends nothing.

const GM = 'greater-manchester';
const run = randomUUID().slice(0, 8);
const A = `I-${run}-A`;
const B = `I-${run}-B`;
const C = `I-${run}-C`;

const registration = (offenderId: string, eventId: string) => ({
  eventId,
  type: 'OffenderRegistered',
  offenderId,
  occurredOn: '2014-04-01',
  data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true },
});
/** A good line without an eventId: its id is derived from its content. */
const withoutEventId = { type: 'LevelChanged', offenderId: A, occurredOn: '2014-08-01', data: { level: 3, reason: 'MAPPA meeting' } } as const;

const ids = { a: randomUUID(), aLevel: randomUUID(), b: randomUUID(), bCustody: randomUUID() };
const FILE_LINES: string[] = [
  /* 1 */ JSON.stringify(registration(A, ids.a)),
  /* 2 */ '{"eventId": "not closed", ',
  /* 3 */ JSON.stringify({ eventId: ids.aLevel, type: 'LevelChanged', offenderId: A, occurredOn: '2014-05-01', data: { level: 2 } }),
  /* 4 */ JSON.stringify({ eventId: randomUUID(), type: 'LevelChanged', offenderId: A, occurredOn: '2014-06-01', data: { level: 3 }, colour: 'red' }),
  /* 5 */ JSON.stringify({ eventId: randomUUID(), type: 'LevelChanged', offenderId: A, occurredOn: '2014-06-01', data: { level: 2 } }),
  /* 6 */ JSON.stringify({ eventId: randomUUID(), type: 'LevelChanged', offenderId: `I-${run}-nobody`, occurredOn: '2014-06-01', data: { level: 2 } }),
  /* 7 */ JSON.stringify(withoutEventId),
  /* 8 */ '',
  /* 9 */ JSON.stringify(registration(B, ids.b)),
  /* 10 */ JSON.stringify({ eventId: randomUUID(), type: 'LevelChanged', offenderId: B, occurredOn: '2014-06-01', data: { level: '3' } }),
  /* 11 */ JSON.stringify({ eventId: ids.bCustody, type: 'CustodyEntered', offenderId: B, occurredOn: '2014-07-01', data: { reason: 'remand' } }),
  /* 12 */ JSON.stringify({ eventId: randomUUID(), type: 'SupervisionStarted', offenderId: B, occurredOn: '2014-07-02', data: {}, recordedAt: '2014-07-02T10:00:00Z' }),
];

/** Each refused line: its number, error code, and a word of the reason. */
const REFUSED: Array<[line: number, code: string, reason: RegExp]> = [
  [2, 'invalid-input', /not valid JSON/],
  [4, 'invalid-input', /colour/],
  [5, 'invalid-timeline', /level 2/],
  [6, 'not-found', /not known/],
  [10, 'invalid-input', /data\.level/],
  [12, 'invalid-input', /recordedAt/],
];
const GOOD_IDS = [ids.a, ids.aLevel, contentEventId(withoutEventId), ids.b, ids.bCustody];

describe('mappa import', () => {
  let dataDir: string;
  let workDir: string;
  let file: string;
  const env = () => cliEnv({ DATA_DIR: dataDir });

  /** Every event in the store, read after the command has exited (one PGlite user at a time). */
  async function storedEvents(): Promise<RecordedOffenderEvent[]> {
    const { store, sql } = await openEventStore({ eventStore: 'embedded', dataDir });
    try {
      return await store.readAll(null, 10_000);
    } finally {
      await store.close();
      await sql?.close();
    }
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-import-'));
    dataDir = path.join(workDir, 'data');
    file = path.join(workDir, 'events.ndjson');
    await writeFile(file, FILE_LINES.join('\n') + '\n');
    await ensureCliBuilt();
  }, 180_000);

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  let firstImport: RecordedOffenderEvent[];

  it('appends the good lines, lists every refused line with its number and reason, and exits non-zero', async () => {
    const result = await runMappa(['import', file], env());
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: '' });

    const refusedLines = result.stdout.split('\n').filter((l) => /^line \d+: refused/.test(l));
    expect(refusedLines).toHaveLength(REFUSED.length);
    REFUSED.forEach(([line, code, reason], k) => {
      expect(refusedLines[k]).toMatch(new RegExp(`^line ${line}: refused \\(${code}\\) `));
      expect(refusedLines[k]).toMatch(reason);
    });
    expect(result.stdout).toMatch(new RegExp(`imported ${escape(file)}: 5 appended, 0 duplicates, 6 refused`));

    // The store holds exactly the good lines, in line order, recorded as an import.
    firstImport = await storedEvents();
    expect(firstImport.map((e) => e.eventId)).toEqual(GOOD_IDS);
    expect(firstImport.map((e) => [e.offenderId, e.revision, e.position])).toEqual([
      [A, 0, 1n],
      [A, 1, 2n],
      [A, 2, 3n],
      [B, 0, 4n],
      [B, 1, 5n],
    ]);
    expect(firstImport[2]).toMatchObject({ type: 'LevelChanged', occurredOn: '2014-08-01', data: { level: 3, reason: 'MAPPA meeting' } });
    for (const e of firstImport) expect(e.metadata).toMatchObject({ source: 'import' });
  }, 90_000);

  it('a second import of the same file appends nothing: every good line is a duplicate, even without an eventId', async () => {
    expect(firstImport).toBeDefined();
    const result = await runMappa(['import', file], env());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`imported ${escape(file)}: 0 appended, 5 duplicates, 6 refused`));
    expect(
      result.stdout
        .split('\n')
        .filter((l) => /^line \d+: refused/.test(l))
        .map((l) => Number(/^line (\d+)/.exec(l)![1])),
    ).toEqual(REFUSED.map(([line]) => line));
    // Unchanged to the last field: same events, positions and recordedAt.
    expect(await storedEvents()).toEqual(firstImport);
  }, 90_000);

  it('reads standard input with -, and exits 0 when no line is refused', async () => {
    expect(firstImport).toBeDefined();
    const lines = [
      JSON.stringify({ ...registration(C, randomUUID()), data: { area: 'lancashire', category: 3, level: 2, inCustody: true, underSupervision: true } }),
      JSON.stringify({ type: 'ReleasedToCommunity', offenderId: C, occurredOn: '2014-09-01', data: { onLicence: true } }),
      JSON.stringify({ type: 'LicenceBreached', offenderId: C, occurredOn: '2014-10-01', data: { returnedToCustody: true } }),
    ].join('\n');
    const first = await runMappa(['import', '-'], env(), lines);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/imported -: 3 appended, 0 duplicates, 0 refused/);
    expect(first.stdout).not.toMatch(/^line \d+: refused/m);

    const stored = await storedEvents();
    expect(stored.slice(0, firstImport.length)).toEqual(firstImport);
    expect(stored.slice(firstImport.length).map((e) => [e.offenderId, e.type, e.revision])).toEqual([
      [C, 'OffenderRegistered', 0],
      [C, 'ReleasedToCommunity', 1],
      [C, 'LicenceBreached', 2],
    ]);

    const again = await runMappa(['import', '-'], env(), lines);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/imported -: 0 appended, 3 duplicates, 0 refused/);
    expect(await storedEvents()).toEqual(stored);
  }, 90_000);

  it('refuses a --batch-size that is not a whole number of lines, before touching the store', async () => {
    for (const size of ['abc', '0']) {
      const result = await runMappa(['import', file, '--progress', '--batch-size', size], env());
      expect({ size, code: result.code, stdout: result.stdout }).toEqual({ size, code: 1, stdout: '' });
      expect(result.stderr).toMatch(/--batch-size/);
    }
  }, 60_000);
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
