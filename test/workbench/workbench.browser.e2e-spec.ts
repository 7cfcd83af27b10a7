import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { generateKeyPair, type KeyLike } from 'jose';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import published from '../../reference/published/greater-manchester-2014-15.json';
import { createJwtVerifier } from '../../src/auth/jwt-verifier';
import { mintToken } from '../../src/auth/mint-token';
import type { Principal } from '../../src/auth/principal';
import type { AppConfig } from '../../src/config/app-config';
import { createHttpApp } from '../../src/http/create-http-app';
import { DEMO_EARLIER_MOMENT } from '../../src/publications/demo-publication';
import { sheetName } from '../../src/reports/render/report-xlsx';
import { parseRequest, sortedRequests, switchRequests } from '../../bench/workbench-switches';
import { copyStoreToPostgres } from '../support/copy-store-to-postgres';
import { dropSchema, SKIPPED_NO_POSTGRES, testDatabaseUrl, uniqueSchemaName } from '../support/postgres-test-database';
import { sharedDemo } from '../support/shared-demo';

// The workbench (issue 15) in a real browser: Debian's Chromium driven by playwright-core, on the
// demo store (`mappa demo`) and on the same history in PostgreSQL (TEST_DATABASE_URL), with real
// tokens (not development mode). Never downloads a browser.
// WORKBENCH_DEMO_STORE=<dir> reuses a demo store made before (copied, so it stays unchanged); else
// the run's shared demo store (test/support/shared-demo.ts).

const ROOT = path.resolve(__dirname, '../..');

/** What functions run in the page (page.evaluate) use of it: this file is compiled without the DOM library. */
interface InPage {
  document: {
    documentElement: { dataset: Record<string, string | undefined> };
    activeElement: {
      id: string;
      tagName: string;
      textContent: string | null;
      getAttribute(name: string): string | null;
      classList: { contains(name: string): boolean };
      closest(selector: string): { getAttribute(name: string): string | null } | null;
    } | null;
  };
  sessionStorage: { length: number };
  axe: { run(): Promise<{ passes: unknown[]; violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
}
interface ReportJson {
  position: string;
  cells: Record<string, number>;
  tables: Array<{ section: string; id: string; rows: string[]; columns: string[]; rule: string }>;
}
interface RevisionsJson {
  cells: Array<{ cellId: string; items: Array<{ cause: { eventId: string } }> }>;
}
interface TrendJson {
  cells: Array<{ cell: string; years: Array<{ year: string; value: number | null; published?: number }> }>;
}
interface PublicationJson {
  id: string;
  year: string;
  publishedOn: string;
}
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GM = 'greater-manchester';
const auditor: Principal = { sub: 'auditor-gm', agency: 'moj', roles: ['auditor'], areas: [GM] };
const analyst: Principal = { sub: 'analyst-gm', agency: 'moj', roles: ['analyst'], areas: [GM] };
const nationalAuditor: Principal = { sub: 'auditor-national', agency: 'moj', roles: ['auditor'], areas: ['*'] };
const publisher: Principal = { sub: 'publisher-gm', agency: 'police', roles: ['publisher'], areas: [GM] };
/** A first, provisional publication of 2014/15 (recorded by the tests): before the late records, so one cell was revised since. */
const PROVISIONAL = { area: GM, year: '2014-15', asKnownAt: DEMO_EARLIER_MOMENT, publishedOn: '2015-05-01' };

// Without Chromium the browser tests cannot run: said plainly, and a failure in CI (.ci/run installs it).
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI) throw new Error(`No Chromium at ${CHROMIUM}: CI must install it (apt-get install chromium).`);
  console.warn(`SKIPPED: the workbench browser tests need Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
}

/** The stores the page is tested on: the demo store itself, and a copy of it on PostgreSQL (when TEST_DATABASE_URL is set). */
const STORES = [
  { kind: 'embedded', name: 'the embedded demo store' },
  { kind: 'postgres', name: 'the demo history on PostgreSQL' },
] as const;
type StoreKind = (typeof STORES)[number]['kind'];

(haveChromium ? describe : describe.skip)('the workbench in Chromium, on the demo history', () => {
  let dir: string;
  let demoStore: string;
  let browser: Browser;
  let verifier: ReturnType<typeof createJwtVerifier>;
  let tokens: { auditor: string; analyst: string; national: string; publisher: string };
  const timings: string[] = [];

  // Shared by both stores: the page built, the demo imported once (minutes), one key pair, one browser.
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'web/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    dir = await mkdtemp(path.join(tmpdir(), 'mappa-workbench-'));
    demoStore = path.join(dir, 'store');
    if (process.env.WORKBENCH_DEMO_STORE) await cp(process.env.WORKBENCH_DEMO_STORE, demoStore, { recursive: true });
    else await sharedDemo(demoStore);
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    verifier = createJwtVerifier({ key: { publicKey: publicKey as KeyObject } });
    const key = { privateKey: privateKey as KeyLike as KeyObject, publicKey: publicKey as KeyObject, algorithm: 'ES256' as const };
    tokens = {
      auditor: await mintToken(auditor, { key }),
      analyst: await mintToken(analyst, { key }),
      national: await mintToken(nationalAuditor, { key }),
      publisher: await mintToken(publisher, { key }),
    };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], env: { ...process.env, TZ: 'UTC' } });
  }, 1_200_000); // the first file to ask builds the demo store: minutes on a busy machine

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`workbench timings (measured, not asserted):\n  ${timings.join('\n  ')}`);
  });

  for (const store of STORES) {
    if (store.kind === 'postgres' && !testDatabaseUrl) {
      // Written past Jest's console capture, which hides the output of fully skipped suites.
      process.stdout.write(`${SKIPPED_NO_POSTGRES}: the workbench on ${store.name}\n`);
      continue;
    }
    describe(`on ${store.name}`, () => workbenchOn(store.kind, store.name));
  }

  /** The service on `kind` (with real ES256 tokens, not development mode), and the tests of the page on it. */
  function workbenchOn(kind: StoreKind, storeName: string): void {
    let app: NestExpressApplication;
    let base: string;
    let schema: string | undefined;

    beforeAll(async () => {
      let config: AppConfig = { eventStore: 'embedded', dataDir: demoStore, databaseUrl: undefined, port: 0, schema: undefined };
      if (kind === 'postgres') {
        // The demo's events as recorded, in a schema of their own; the read models built there.
        schema = uniqueSchemaName('workbench');
        const copied = Date.now();
        await copyStoreToPostgres({ dataDir: demoStore }, { url: testDatabaseUrl!, schema });
        timings.push(`${storeName}: demo history copied and its read models built: ${Date.now() - copied} ms`);
        config = { eventStore: 'postgres', dataDir: path.join(dir, 'unused'), databaseUrl: testDatabaseUrl, port: 0, schema };
      }
      app = await createHttpApp({ config, auth: { development: false, verifier }, rateLimit: false });
      app.useLogger(false);
      await app.listen(0, '127.0.0.1');
      base = await app.getUrl();
      // Beside the demo's publication (of today), one of another moment, so that choosing it highlights a revised cell.
      // Once: the PostgreSQL copy is made from the demo store after the embedded tests recorded it there.
      const listed = (await (await fetch(`${base}/publications?area=${GM}`, { headers: { Authorization: `Bearer ${tokens.publisher}` } })).json()) as {
        publications: PublicationJson[];
      };
      if (!listed.publications.some((p) => p.publishedOn === PROVISIONAL.publishedOn)) {
        const provisional = await fetch(`${base}/publications`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokens.publisher}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(PROVISIONAL),
        });
        expect(provisional.status).toBe(201);
      }
    }, 600_000);

    afterAll(async () => {
      await app?.close();
      if (schema) await dropSchema(testDatabaseUrl!, schema);
    });

    /** The docs' screenshots are of the demo store (taken once, not again on PostgreSQL). */
    const screenshot = async (of: Page | Locator, file: string) => {
      if (kind === 'embedded') await of.screenshot({ path: path.join(ROOT, 'docs', file) });
    };

    /** A fresh tab, signed in by pasting `token`, on the Greater Manchester 2014/15 report. */
    async function signedIn(token: string): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const opened = Date.now();
      await page.goto(base);
      await page.getByLabel('Bearer token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('td[data-cell="offendersOnSnapshot.total.total"]').waitFor({ timeout: 60_000 });
      timings.push(`${storeName}: open, sign in and first table on screen: ${Date.now() - opened} ms`);
      return page;
    }

    it('shows who is signed in and every one of the 113 published Greater Manchester 2014/15 cells', async () => {
      const page = await signedIn(tokens.auditor);
      await expect(page.getByTestId('who').textContent()).resolves.toBe('auditor-gm');
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.length)).toBe(1);
      const shown = await page.$$eval('td[data-cell]', (tds) =>
        Object.fromEntries(tds.map((td) => [td.getAttribute('data-cell')!, (td.querySelector('button') ?? td).textContent!.trim()])),
      );
      const cells = Object.entries(published.cells as Record<string, number>);
      expect(cells).toHaveLength(113);
      for (const [id, value] of cells) expect({ id, shown: shown[id] }).toEqual({ id, shown: value.toLocaleString('en-GB') });
      expect(await page.locator('section.table').count()).toBe(11);
      await expect(page.getByTestId('moment').textContent()).resolves.toMatch(/position \d+, as known now/);
      await screenshot(page, 'workbench-report.png');
      // Opening the page again in the same tab (the token kept for the tab): the first table on screen.
      const reopened = Date.now();
      await page.reload();
      await page.locator('td[data-cell="offendersOnSnapshot.total.total"]').waitFor({ timeout: 60_000 });
      timings.push(`${storeName}: re-open the page in the signed-in tab, first table on screen: ${Date.now() - reopened} ms`);
      await page.close();
    }, 180_000);

    it('follows recalledForLicenceBreach.level3.total to its rule and 8 items, after asking why', async () => {
      const page = await signedIn(tokens.auditor);
      await page.locator('td[data-cell="recalledForLicenceBreach.level3.total"] button').click();
      await page.getByLabel(/Why are you looking/).fill('checking the 2014/15 recall figure');
      await page.getByRole('button', { name: 'Show the trace' }).click();
      await page.getByTestId('trace-items').waitFor();
      await expect(page.getByTestId('trace-rule').textContent()).resolves.toMatch(/recall/i);
      expect(await page.locator('[data-testid="trace-items"] tbody tr').count()).toBe(8);
      await expect(page.getByTestId('trace-summary').textContent()).resolves.toMatch(/^8 item\(s\)/);
      await screenshot(page.locator('aside.trace'), 'workbench-trace.png');
      // The whole trace as CSV: a header and a row per item.
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the whole trace as CSV' }).click()]);
      expect((await readFile((await csv.path())!, 'utf8')).trimEnd().split('\n')).toHaveLength(9);
      // From an item, the offender's history in effective order, and the state at a date.
      const first = (await page.locator('[data-testid="trace-items"] tbody tr code').first().textContent())!;
      await page.getByRole('button', { name: `History of offender ${first}` }).click();
      await page.getByTestId('offender-events').waitFor({ timeout: 60_000 });
      const dates = await page.locator('[data-testid="offender-events"] tbody tr td:first-child').allTextContents();
      expect(dates.length).toBeGreaterThan(0);
      expect(dates).toEqual([...dates].sort());
      await expect(page.getByTestId('offender-state').textContent()).resolves.toContain(first);
      await page.close();
      // The reason went to the access audit.
      const audit = await (
        await fetch(`${base}/audit/access?reason=${encodeURIComponent('test reads the audit')}`, { headers: { Authorization: `Bearer ${tokens.auditor}` } })
      ).json();
      expect(JSON.stringify(audit)).toContain('checking the 2014/15 recall figure');
    }, 180_000);

    it('an analyst sees no trace link, and a trace URL typed by hand answers 403', async () => {
      const page = await signedIn(tokens.analyst);
      expect(await page.locator('button.cell').count()).toBe(0);
      const status = await page.evaluate(async (token) => {
        const r = await fetch('/reports/greater-manchester/2014-15/cells/recalledForLicenceBreach.level3.total/trace?reason=curious&limit=10', {
          headers: { Authorization: `Bearer ${token}` },
        });
        return r.status;
      }, tokens.analyst);
      expect(status).toBe(403);
      await page.close();
    }, 180_000);

    it('as known at 30 April 2015 highlights the one revised cell', async () => {
      const page = await signedIn(tokens.auditor);
      const switched = Date.now();
      await page.getByLabel(/As known at/).fill('2015-04-30T23:59');
      await page.getByText(/cell\(s\) differ from now/).waitFor({ timeout: 60_000 });
      timings.push(`${storeName}: switch to as known at 30 April 2015: ${Date.now() - switched} ms`);
      expect(await page.locator('td.changed').count()).toBe(1);
      const cell = await page.locator('td.changed').getAttribute('data-cell');
      await page
        .locator('td.changed')
        .getByRole('button', { name: /^Revisions of/ })
        .click();
      await page.getByLabel(/Why are you looking at the offenders who moved/).fill('checking the late records of 2014/15');
      await page.getByRole('button', { name: 'Show the revisions' }).click();
      await page.getByTestId('revision').waitFor({ timeout: 60_000 });
      // The event that moved it, named as the revisions endpoint names it (and that event exists in the store).
      const revisions = (await (
        await fetch(`${base}/reports/greater-manchester/2014-15/revisions?from=${encodeURIComponent('2015-04-30T23:59:00.000Z')}&detail=items&reason=test`, {
          headers: { Authorization: `Bearer ${tokens.auditor}` },
        })
      ).json()) as RevisionsJson;
      const revised = revisions.cells.find((c) => c.cellId === cell)!;
      expect(revisions.cells).toHaveLength(1);
      const causes = await page.getByTestId('cause').allTextContents();
      expect(causes).toHaveLength(revised.items.length);
      for (const item of revised.items) expect(causes.join('\n')).toContain(`event ${item.cause.eventId}`);
      await screenshot(page, 'workbench-as-known-at.png');
      await page.close();
    }, 180_000);

    it("the .xlsx download, read back with the same library, equals the JSON; JSON, CSV and HTML are the API's; the trend chart draws 2008-09 to 2014-15", async () => {
      const page = await signedIn(tokens.auditor);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Spreadsheet (.xlsx)' }).click()]);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile((await download.path())!);
      const report = (await (await fetch(`${base}/reports/greater-manchester/2014-15`, { headers: { Authorization: `Bearer ${tokens.auditor}` } })).json()) as ReportJson;
      expect(book.worksheets.map((w) => w.name)).toEqual([...report.tables.map((t) => sheetName(t.section, t.id)), 'Notes']);
      let compared = 0;
      for (const table of report.tables) {
        const sheet = book.getWorksheet(sheetName(table.section, table.id))!;
        table.rows.forEach((row, r) =>
          table.columns.forEach((column, c) => {
            const id = `${table.id}.${row}.${column}`;
            const value = report.cells[id];
            expect({ id, value: sheet.getRow(3 + r).getCell(2 + c).value }).toEqual({ id, value: Number.isFinite(value) ? value : null });
            compared++;
          }),
        );
      }
      expect(compared).toBe(Object.keys(report.cells).length);
      const notes = book.getWorksheet('Notes')!;
      expect(notes.getRow(2).getCell(2).value).toBe(report.position);
      expect(notes.getRow(6).getCell(4).value).toBe(report.tables[0].rule);
      // The other downloads are the API's own answers, saved under the report's name.
      for (const [button, accept, extension] of [
        ['JSON', 'application/json', 'json'],
        ['CSV', 'text/csv', 'csv'],
        ['HTML', 'text/html', 'html'],
      ]) {
        const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
        const api = await fetch(`${base}/reports/greater-manchester/2014-15`, { headers: { Authorization: `Bearer ${tokens.auditor}`, Accept: accept } });
        expect(api.headers.get('content-type')).toContain(accept);
        expect({ name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') }).toEqual({
          name: `report-greater-manchester-2014-15.${extension}`,
          text: await api.text(),
        });
      }

      // The whole table first: a series per cell of 6.1, in a legend, and the same figures in a data table.
      const years = ['2008/09', '2009/10', '2010/11', '2011/12', '2012/13', '2013/14', '2014/15'];
      await page.getByRole('button', { name: 'Trend of 6.1 across the years', exact: true }).click();
      await page.locator('[data-testid="trend-chart"] canvas').waitFor({ timeout: 60_000 });
      const table61 = report.tables.find((t) => t.section === '6.1')!;
      const cells61 = table61.rows.flatMap((r) => table61.columns.map((c) => `${table61.id}.${r}.${c}`));
      expect(cells61).toHaveLength(16);
      await expect(page.getByTestId('trend-chart').getAttribute('data-years')).resolves.toBe('2008/09..2014/15');
      await expect(page.getByTestId('trend-chart').getAttribute('data-series')).resolves.toBe(String(cells61.length));
      expect(await page.getByTestId('trend-legend').locator('li').count()).toBe(cells61.length + 1); // and the published mark
      const trendTable = page.getByTestId('trend-table');
      expect(await trendTable.locator('thead th[data-cell]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-cell')))).toEqual(cells61);
      expect(await trendTable.locator('tbody tr th').allTextContents()).toEqual(years);
      const lastRow = trendTable.locator('tbody tr').last();
      await expect(lastRow.locator('td[data-cell="offendersOnSnapshot.total.total"] .value').textContent()).resolves.toBe(
        report.cells['offendersOnSnapshot.total.total'].toLocaleString('en-GB'),
      );
      // Every figure of the data table, and each published mark, is the trends endpoint's.
      const trend = (await (
        await fetch(`${base}/trends/greater-manchester?table=offendersOnSnapshot&from=2008-09&to=2014-15`, { headers: { Authorization: `Bearer ${tokens.auditor}` } })
      ).json()) as TrendJson;
      const shownTrend = await trendTable.locator('tbody td').evaluateAll((tds) => tds.map((td) => `${td.getAttribute('data-cell')} ${td.textContent}`));
      const expectedTrend = years.flatMap((_, y) =>
        cells61.map((id) => {
          const point = trend.cells.find((c) => c.cell === id)!.years[y];
          return `${id} ${point.value === null ? '–' : point.value.toLocaleString('en-GB')}${point.published === undefined ? '' : ` (published ${point.published.toLocaleString('en-GB')})`}`;
        }),
      );
      expect(shownTrend).toEqual(expectedTrend);
      expect(expectedTrend.filter((t) => t.includes('(published')).length).toBeGreaterThan(0);
      await screenshot(page.locator('aside.trend'), 'workbench-trend.png');
      // One cell: its computed and published figures by year.
      await page.getByLabel('one cell').check();
      await page.locator('[data-testid="trend-chart"] canvas').waitFor({ timeout: 10_000 });
      expect(await page.locator('aside.trend table.items tbody tr th').allTextContents()).toEqual(years);
      await expect(page.getByTestId('trend-chart').getAttribute('data-years')).resolves.toBe('2008/09..2014/15');
      // The published 2014/15 figure (the demo's publication) is marked beside the computed one.
      const lastYear = await page.locator('aside.trend table.items tbody tr').last().locator('td').allTextContents();
      expect(lastYear[1]).toBe(String((published.cells as Record<string, number>)['offendersOnSnapshot.total.total']));
      await page.close();
    }, 180_000);

    it('shows a snapshot on any date and the period tables for any range', async () => {
      const page = await signedIn(tokens.auditor);
      await page.getByLabel('a snapshot on any date').check();
      await page.getByLabel('Date', { exact: true }).fill('2013-09-30');
      await page.getByRole('heading', { name: /offenders in the community at the end of 2013-09-30/ }).waitFor({ timeout: 60_000 });
      const snapshot = (await (
        await fetch(`${base}/snapshots/greater-manchester?date=2013-09-30`, { headers: { Authorization: `Bearer ${tokens.auditor}` } })
      ).json()) as ReportJson;
      await expect(page.locator('td[data-cell="offendersOnSnapshot.total.total"]').textContent()).resolves.toBe(
        snapshot.cells['offendersOnSnapshot.total.total'].toLocaleString('en-GB'),
      );
      await page.getByLabel('the period tables for any range').check();
      await page.getByLabel('From', { exact: true }).fill('2014-10-01');
      await page.getByRole('heading', { name: /the period tables, 2014-10-01 to 2015-03-31/ }).waitFor({ timeout: 60_000 });
      const period = (await (
        await fetch(`${base}/periods/greater-manchester?from=2014-10-01&to=2015-03-31`, { headers: { Authorization: `Bearer ${tokens.auditor}` } })
      ).json()) as ReportJson;
      const shown = await page.$$eval('td[data-cell]', (tds) => tds.map((td) => [td.getAttribute('data-cell')!, td.textContent!.trim()]));
      expect(shown.length).toBe(Object.keys(period.cells).length);
      for (const [id, text] of shown) expect({ id, text }).toEqual({ id, text: Number.isFinite(period.cells[id]) ? period.cells[id].toLocaleString('en-GB') : '–' });
      await page.close();
    }, 180_000);

    it("lists the area's publications of every year; choosing one of another year switches the year and highlights what was revised since", async () => {
      const page = await signedIn(tokens.auditor);
      await page.locator('select[name=year]').selectOption('2013-14');
      await page.getByRole('heading', { name: /2013\/14: Greater Manchester/ }).waitFor({ timeout: 60_000 });
      const api = (await (await fetch(`${base}/publications?area=${GM}`, { headers: { Authorization: `Bearer ${tokens.auditor}` } })).json()) as {
        publications: PublicationJson[];
      };
      expect(api.publications.length).toBeGreaterThanOrEqual(2); // the demo's and the provisional one
      const list = page.getByTestId('publications');
      await expect(page.getByRole('heading', { name: 'Publications of Greater Manchester' }).isVisible()).resolves.toBe(true);
      expect(await list.locator('li').count()).toBe(api.publications.length);
      for (const p of api.publications) await expect(list.textContent()).resolves.toContain(`${p.year} report, published on ${p.publishedOn}`);
      // Chosen from 2013/14: the 2014/15 report as known when the provisional publication was published.
      const provisional = api.publications.find((p) => p.publishedOn === PROVISIONAL.publishedOn)!;
      const switched = Date.now();
      await page.getByRole('button', { name: `Show the 2014/15 report as known when published on ${PROVISIONAL.publishedOn}` }).click();
      await page.getByRole('heading', { name: /2014\/15: Greater Manchester/ }).waitFor({ timeout: 60_000 });
      await page.getByText(/cell\(s\) differ from now/).waitFor({ timeout: 60_000 });
      timings.push(`${storeName}: choose a publication of another year: ${Date.now() - switched} ms`);
      await expect(page.locator('select[name=year]').inputValue()).resolves.toBe('2014-15');
      await expect(page.getByTestId('moment').textContent()).resolves.toContain(`as known when published on ${PROVISIONAL.publishedOn}`);
      const pressed = page.getByRole('button', { name: `Show the 2014/15 report as known when published on ${PROVISIONAL.publishedOn}` });
      await expect(pressed.getAttribute('aria-pressed')).resolves.toBe('true');
      // The highlighted cells are the ones the revisions endpoint names between that publication and now.
      const revisions = (await (
        await fetch(`${base}/reports/greater-manchester/2014-15/revisions?from=publication:${provisional.id}&detail=counts`, {
          headers: { Authorization: `Bearer ${tokens.auditor}` },
        })
      ).json()) as RevisionsJson;
      expect(revisions.cells.length).toBe(1);
      expect(await page.locator('td.changed').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-cell')))).toEqual(revisions.cells.map((c) => c.cellId));
      await screenshot(page, 'workbench-publication.png');
      // The demo's own publication is of now: nothing differs.
      const demo = api.publications.find((p) => p.id !== provisional.id && p.year === '2014/15')!;
      await page.getByRole('button', { name: `Show the 2014/15 report as known when published on ${demo.publishedOn}` }).click();
      await page.getByText('No cell differs from now.').waitFor({ timeout: 60_000 });
      await expect(page.getByTestId('moment').textContent()).resolves.toContain(`as known when published on ${demo.publishedOn}`);
      expect(await page.locator('td.changed').count()).toBe(0);
      await page.close();
    }, 180_000);

    // The page's own behaviour (its headers, keyboard, zoom, accessibility, what a switch asks) does not
    // depend on the store behind it: tested once, on the embedded store.
    if (kind === 'embedded') {
      it('asks, on each switch of area, year, moment and date, exactly the requests the bench times', async () => {
        const page = await signedIn(tokens.national);
        // The page's API calls (fetch), and how many are still unanswered.
        const asked: string[] = [];
        let inFlight = 0;
        page.on('request', (r) => {
          if (r.resourceType() !== 'fetch') return;
          asked.push(r.url());
          inFlight++;
        });
        const answered = (r: { resourceType(): string }) => r.resourceType() === 'fetch' && inFlight--;
        page.on('requestfinished', answered);
        page.on('requestfailed', answered);
        const quiet = async () => {
          for (let calm = 0; calm < 3;) {
            await page.waitForTimeout(100);
            calm = inFlight === 0 ? calm + 1 : 0;
          }
        };
        /** What the page asks between `act` and the quiet after `shown` is on screen; the page's own load time goes to the timings. */
        const switching = async (name: string, act: () => Promise<unknown>, shown: Locator): Promise<string[]> => {
          await quiet();
          asked.length = 0;
          await act();
          await shown.waitFor({ timeout: 60_000 });
          await quiet();
          const ms = await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.dataset.lastLoadMs);
          timings.push(`${storeName}: ${name} switch, the page's own load: ${ms} ms`);
          return sortedRequests(asked.map(parseRequest));
        };
        const heading = (name: RegExp) => page.getByRole('heading', { name });
        const area = 'merseyside';
        await expect(switching('area', () => page.locator('select[name=area]').selectOption(area), heading(/2014\/15: Merseyside/))).resolves.toEqual(
          sortedRequests(switchRequests('area', { area, year: '2014-15' })),
        );
        await expect(switching('year', () => page.locator('select[name=year]').selectOption('2013-14'), heading(/2013\/14: Merseyside/))).resolves.toEqual(
          sortedRequests(switchRequests('year', { area, year: '2013-14' })),
        );
        // The heading stays: the comparison with now, shown only at a moment, says the answer is on screen.
        const atMoment = switching('as-known-at', () => page.getByLabel(/As known at/).fill('2015-04-30T23:59'), page.getByTestId('moment').getByText(/differs? from now/));
        await expect(atMoment).resolves.toEqual(sortedRequests(switchRequests('asKnownAt', { area, year: '2013-14', asKnownAt: '2015-04-30T23:59:00.000Z' })));
        await page.getByRole('button', { name: 'Now', exact: true }).click();
        await page.getByLabel('a snapshot on any date').check();
        await expect(switching('date', () => page.getByLabel('Date', { exact: true }).fill('2013-09-30'), heading(/end of 2013-09-30/))).resolves.toEqual(
          sortedRequests(switchRequests('date', { area, year: '2013-14', date: '2013-09-30' })),
        );
        await page.close();
      }, 180_000);

      it('serves the page at / with a content security policy that allows no inline script', async () => {
        const response = await fetch(base + '/');
        expect(response.status).toBe(200);
        const csp = response.headers.get('content-security-policy') ?? '';
        const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
        expect(scriptSrc.trim()).toBe("'self'");
        expect(csp).toContain("default-src 'self'");
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        const html = await response.text();
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
        expect(html).not.toMatch(/https?:\/\//); // nothing fetched from outside
      });

      it('keyboard alone picks an area and opens a trace', async () => {
        const page = await signedIn(tokens.national);
        const focused = () =>
          page.evaluate(() => {
            const e = (globalThis as unknown as InPage).document.activeElement;
            return e ? `${e.id}|${e.closest('[name]')?.getAttribute('name') ?? ''}|${e.classList.contains('cell') ? 'cell' : ''}` : '';
          });
        const tabTo = async (wanted: (f: string) => boolean, most = 80) => {
          for (let i = 0; i < most && !wanted(await focused()); i++) await page.keyboard.press('Tab');
          expect(wanted(await focused())).toBe(true);
        };
        await tabTo((f) => f.includes('|area|'));
        await page.keyboard.press('Home'); // the first area
        await page.getByRole('heading', { name: /Avon and Somerset/ }).waitFor({ timeout: 60_000 });
        // Arrow keys down the list to Greater Manchester (type-ahead would depend on the typing speed).
        const area = page.locator('select[name=area]');
        for (let i = 0; i < 45 && (await area.inputValue()) !== GM; i++) await page.keyboard.press('ArrowDown');
        await page.getByRole('heading', { name: /2014\/15: Greater Manchester/ }).waitFor({ timeout: 60_000 });
        await expect(area.inputValue()).resolves.toBe(GM);
        // Tab on to the first traceable figure, open it with Enter.
        await tabTo((f) => f.endsWith('|cell'));
        const cell = await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.closest('td')?.getAttribute('data-cell'));
        expect(cell).toMatch(/^offendersOnSnapshot\./);
        await page.keyboard.press('Enter');
        // The trace opens with the focus on its heading (the page renders it on the next frame).
        await page.waitForFunction(() => (globalThis as unknown as InPage).document.activeElement?.id === 'trace-heading', undefined, { timeout: 10_000 });
        await tabTo((f) => f.startsWith('reason|'), 5);
        await page.keyboard.type('keyboard check');
        await page.keyboard.press('Enter');
        await page.getByTestId('trace-items').waitFor();
        expect(await page.locator('[data-testid="trace-items"] tbody tr').count()).toBeGreaterThan(0);
        await page.close();
      }, 180_000);

      it('keyboard alone chooses a publication and opens the trend of a whole table, its data table and one cell', async () => {
        const page = await signedIn(tokens.auditor);
        /** The focused element: its tag, type, text and accessible label. */
        const focused = () =>
          page.evaluate(() => {
            const e = (globalThis as unknown as InPage).document.activeElement;
            return e ? `${e.tagName}|${e.getAttribute('type') ?? ''}|${e.textContent?.trim() ?? ''}|${e.getAttribute('aria-label') ?? ''}` : '';
          });
        const tabTo = async (wanted: (f: string) => boolean, key = 'Tab', most = 80) => {
          for (let i = 0; i < most && !wanted(await focused()); i++) await page.keyboard.press(key);
          expect(wanted(await focused())).toBe(true);
        };
        await page.getByTestId('publications').waitFor({ timeout: 60_000 }); // asked beside the report: may come after it
        await tabTo((f) => f.startsWith('BUTTON|') && f.includes(`as known when published on ${PROVISIONAL.publishedOn}`));
        await page.keyboard.press('Enter');
        await page.getByText(/cell\(s\) differ from now/).waitFor({ timeout: 60_000 });
        await tabTo((f) => f.startsWith('BUTTON|button|Trend of 6.1 across the years|'));
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => (globalThis as unknown as InPage).document.activeElement?.id === 'trend-heading', undefined, { timeout: 10_000 });
        await page.getByTestId('trend-table').waitFor({ timeout: 60_000 });
        // The data table's box takes the focus (it scrolls sideways at 200% zoom); the view's radio buttons are before it.
        await tabTo((f) => f.endsWith('|The figures of the chart'), 'Tab', 20);
        await tabTo((f) => f.startsWith('INPUT|radio|'), 'Shift+Tab', 20);
        await page.keyboard.press('ArrowDown'); // from "the whole table" to "one cell"
        await page.locator('aside.trend select').first().waitFor();
        await expect(page.getByLabel('one cell').isChecked()).resolves.toBe(true);
        await page.locator('[data-testid="trend-chart"] canvas').waitFor({ timeout: 10_000 });
        await page.close();
      }, 180_000);

      it('reads at 200% zoom without the page scrolling sideways, and lists the publication of the report', async () => {
        const page = await browser.newPage({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 }); // a 1280x900 screen at 200%
        await page.goto(base);
        await page.getByLabel('Bearer token').fill(tokens.auditor);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.locator('td[data-cell="offendersOnSnapshot.total.total"]').waitFor({ timeout: 60_000 });
        const sideways = () => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return d.scrollWidth - d.clientWidth;
        };
        const overflow = await page.evaluate(sideways);
        expect(overflow).toBeLessThanOrEqual(0); // wide tables scroll inside their own box
        await expect(page.getByRole('heading', { name: 'Publications of Greater Manchester' }).isVisible()).resolves.toBe(true);
        await page.getByRole('button', { name: `Show the 2014/15 report as known when published on ${PROVISIONAL.publishedOn}` }).click();
        await page
          .getByTestId('moment')
          .getByText(/as known when published/)
          .waitFor({ timeout: 60_000 });
        expect(await page.evaluate(sideways)).toBeLessThanOrEqual(0);
        // The whole-table trend: its chart, legend and 16-column data table fit or scroll in their own box.
        await page.getByRole('button', { name: 'Trend of 6.1 across the years', exact: true }).click();
        await page.locator('[data-testid="trend-chart"] canvas').waitFor({ timeout: 120_000 });
        await page.getByTestId('trend-table').waitFor();
        expect(await page.evaluate(sideways)).toBeLessThanOrEqual(0);
        await page.close();
      }, 300_000);

      it('axe finds no serious or critical accessibility violation on the report and the trace', async () => {
        const axe = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
        const page = await signedIn(tokens.auditor);
        await page.locator('td[data-cell="recalledForLicenceBreach.level3.total"] button').click();
        const violations = async () => {
          await page.evaluate(axe); // evaluated over the DevTools protocol: the page's CSP does not apply
          const result = await page.evaluate(async () => (globalThis as unknown as InPage).axe.run());
          expect(result.passes.length).toBeGreaterThan(10); // axe did look at the page
          return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
        };
        expect(await violations()).toEqual([]);
        await page.getByLabel(/Why are you looking/).fill('accessibility check');
        await page.getByRole('button', { name: 'Show the trace' }).click();
        await page.getByTestId('trace-items').waitFor();
        // The whole-table trend (chart, legend, cells drawn, data table), then one cell.
        await page.getByRole('button', { name: 'Trend of 6.1 across the years', exact: true }).click();
        await page.locator('[data-testid="trend-chart"] canvas').waitFor({ timeout: 60_000 });
        await page.getByTestId('trend-table').waitFor();
        await page.getByText(/^Cells drawn/).click(); // open the list of cells to draw
        expect(await violations()).toEqual([]);
        await page.getByLabel('one cell').check();
        await page.locator('[data-testid="trend-chart"] canvas').waitFor({ timeout: 10_000 });
        expect(await violations()).toEqual([]);
        // The area's publications, one chosen: the report as known then, the revised cell highlighted.
        await page.getByRole('button', { name: `Show the 2014/15 report as known when published on ${PROVISIONAL.publishedOn}` }).click();
        await page.getByText(/cell\(s\) differ from now/).waitFor({ timeout: 60_000 });
        expect(await violations()).toEqual([]);
        await page.close();
      }, 300_000); // axe runs four times: minutes on a busy machine
    }
  }
});
