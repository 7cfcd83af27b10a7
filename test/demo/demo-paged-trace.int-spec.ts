import { QueryBus } from '@nestjs/cqrs';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCliContext } from '../../src/cli/app-context';
import { loadConfig } from '../../src/config/app-config';
import { GetReportQuery, GetTraceInPagesQuery, GetTracePageQuery, GetTraceQuery, GetTrendsQuery } from '../../src/queries/reports/report-queries';
import type { TraceItem, TracePage } from '../../src/reports/report.service';
import { cliEnv } from '../support/built-cli';
import { sharedDemo } from '../support/shared-demo';

// Issue 14.1 and 14.4 on the demonstration store (`mappa demo`): the paged trace of the largest
// cell (2,653 items) and of others equals the unpaged one, its summary counts the cell; the CSV
// export has a row per item; a trend equals the per-year reports; and the command line's
// `mappa trace --limit/--after/--format csv` and `mappa trends` answer the same.

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/support/swc-register.js');

function mappa(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', REGISTER, path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('paged traces and trends on the demo store', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mappa-demo-pages-'));
    dataDir = path.join(dir, 'store');
    await sharedDemo(dataDir);
  }, 900_000); // the first file to ask builds the demo store (test/support/shared-demo.ts): minutes on a busy machine
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('pages of sample cells are the unpaged trace; the summary counts the cell; the export has every item; the trend equals the reports', async () => {
    const app = await createCliContext({ config: { ...loadConfig(), eventStore: 'embedded', databaseUrl: undefined, dataDir } });
    try {
      const bus = app.get(QueryBus);
      const report = await bus.execute(new GetReportQuery('greater-manchester', 2014));
      expect(report.cells['offendersOnSnapshot.level1.category1']).toBe(2653);
      for (const [cell, limit] of [
        ['offendersOnSnapshot.level1.category1', 500],
        ['level23InYear.level3.category1', 4],
        ['sfoOutcomes.category3-level3.leftArea', 1],
        ['rsoByDivision.unassigned.count', 3],
      ] as const) {
        const whole = await bus.execute(new GetTraceQuery('greater-manchester', 2014, cell));
        const pages: TracePage[] = [await bus.execute(new GetTracePageQuery('greater-manchester', 2014, cell, { limit }))];
        while (pages[pages.length - 1].next)
          pages.push(await bus.execute(new GetTracePageQuery('greater-manchester', 2014, cell, { limit, after: pages[pages.length - 1].next! })));
        expect({ cell, items: pages.flatMap((p) => p.items) }).toEqual({ cell, items: whole.items });
        expect({ cell, summary: pages[0].summary!.items }).toEqual({ cell, summary: report.cells[cell] });
        expect(pages).toHaveLength(Math.ceil(report.cells[cell] / limit));
      }
      const exported = await bus.execute(new GetTraceInPagesQuery('greater-manchester', 2014, 'offendersOnSnapshot.level1.category1'));
      const items: TraceItem[] = [];
      for await (const page of exported.pages) items.push(...page);
      expect(items).toHaveLength(2653);

      const trend = await bus.execute(new GetTrendsQuery('greater-manchester', { table: 'offendersOnSnapshot' }, 2012, 2014));
      for (const [i, year] of [2012, 2013, 2014].entries()) {
        const cells = i === 2 ? report.cells : (await bus.execute(new GetReportQuery('greater-manchester', year))).cells;
        for (const c of trend.cells) expect({ cell: c.cell, year, value: c.years[i].value }).toEqual({ cell: c.cell, year, value: cells[c.cell] });
      }
    } finally {
      await app.close();
    }
  }, 240_000);

  it('mappa trace --limit/--after and --format csv, and mappa trends, on the command line', async () => {
    const env = cliEnv({ DATA_DIR: dataDir });
    const base = ['trace', '--area', 'greater-manchester', '--year', '2014-15', '--cell', 'level23InYear.level3.category1', '--reason', 'demo audit'];
    const first = await mappa([...base, '--limit', '3'], env);
    expect(first.code).toBe(0);
    const page = JSON.parse(first.stdout);
    expect(page.items).toHaveLength(3);
    expect(page.summary.items).toBeGreaterThan(3);
    const second = JSON.parse((await mappa([...base, '--limit', '3', '--after', page.next], env)).stdout);
    expect(second.items[0].offenderId > page.items[2].offenderId || second.items[0].area !== page.items[2].area).toBe(true);
    expect(second.position).toBe(page.position);

    const out = path.join(dir, 'trace.csv');
    const csv = await mappa([...base, '--format', 'csv', '--out', out], env);
    expect(csv.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(page.summary.items + 1);
    expect(csv.stderr).toContain(`${page.summary.items} item(s) written`);

    const trends = await mappa(
      ['trends', '--area', 'greater-manchester', '--cells', 'offendersOnSnapshot.level1.category1', '--from', '2013-14', '--to', '2014-15', '--format', 'json'],
      env,
    );
    expect(trends.code).toBe(0);
    expect(JSON.parse(trends.stdout).cells[0].years[1]).toMatchObject({ year: '2014/15', value: 2653 });
    const text = await mappa(['trends', '--area', 'greater-manchester', '--table', 'rsoRate', '--from', '2013-14', '--to', '2014-15'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('rsoRate.per100k.value (ratePer100k, snapshot)');
    expect(text.stdout).toMatch(/2014\/15 +112 /); // the demo's printed rate

    const refused = await mappa([...base, '--limit', '3', '--format', 'csv'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/whole trace/);
  }, 900_000); // six command-line runs, each starting Node and the store
});
