import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { sheetName, XLSX_TYPE } from '../../src/reports/render/report-xlsx';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// The workbench's server side (issue 15): the page at / under the service's CSP, who the caller is
// (from the access policy), the names it shows, and the .xlsx rendering of a report.

const ROOT = path.resolve(__dirname, '../..');

describe('the workbench over HTTP', () => {
  let secured: SecuredApp;
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'web/build.mjs')], { cwd: ROOT, stdio: 'ignore' });
    secured = await startSecuredApp();
  }, 120_000);
  afterAll(() => secured?.close());

  it('serves the page at / without a token, with a CSP that allows scripts from the service only; its script is a file', async () => {
    const page = await secured.http().get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.text).toContain('<script type="module" src="workbench.js"></script>');
    const script = await secured.http().get('/workbench.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    // The API is not opened by the page's files: data still needs a token.
    await secured.http().get('/workbench/session').expect(401);
  });

  it('answers a page request with a precondition as any read: never an HTML 412 from the file server', async () => {
    await secured.http().get('/').set('If-Match', '?').expect(200);
    await secured.http().get('/workbench.js').set('If-Unmodified-Since', 'Thu, 01 Jan 1970 00:00:00 GMT').expect(200);
    const missing = await secured.http().get('/no-such-file.js').set('If-Match', '?').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
  });

  it('says who the caller is and what its roles allow, from the access policy', async () => {
    const analyst = await secured
      .http()
      .get('/workbench/session')
      .set('Authorization', `Bearer ${await secured.token(principal({ roles: ['analyst'] }))}`)
      .expect(200);
    expect(analyst.body).toMatchObject({
      roles: ['analyst'],
      development: false,
      reportAreas: ['greater-manchester'],
      may: { readReports: true, traceFigures: false, readOffenders: false },
    });
    const national = await secured
      .http()
      .get('/workbench/session')
      .set('Authorization', `Bearer ${await secured.token(principal({ roles: ['auditor'], areas: ['*'] }))}`)
      .expect(200);
    expect(national.body.reportAreas).toHaveLength(43);
    expect(national.body.reportAreas).toContain('england-and-wales');
    expect(national.body.may.traceFigures).toBe(true);
    const recorder = await secured
      .http()
      .get('/workbench/session')
      .set('Authorization', `Bearer ${await secured.token(principal({ roles: ['recorder'] }))}`)
      .expect(200);
    expect(recorder.body.may.readReports).toBe(false);
    expect(recorder.body.reportAreas).toEqual([]);
  });

  it('in development mode, a request without a token is the development principal, and says so', async () => {
    const dev = await startSecuredApp({ development: true });
    try {
      const { body } = await dev.http().get('/workbench/session').expect(200);
      expect(body).toMatchObject({ sub: 'development', development: true, may: { readReports: true, traceFigures: true } });
    } finally {
      await dev.close();
    }
  }, 120_000);

  it('names the areas and the rows and columns as the published report labels them', async () => {
    const token = await secured.token(principal({ roles: ['analyst'] }));
    const { body } = await secured.http().get('/workbench/names').set('Authorization', `Bearer ${token}`).expect(200);
    expect(Object.keys(body.areas)).toHaveLength(43);
    expect(body.areas['greater-manchester']).toBe('Greater Manchester');
    expect(body.labels.category1).toBe('Category 1 – Registered Sexual Offenders');
  });

  it('renders a report as .xlsx: a sheet per table with its figures where the JSON has them, and a notes sheet', async () => {
    const token = await secured.token(principal({ roles: ['analyst'] }));
    const json = (await secured.http().get('/reports/greater-manchester/2014-15').set('Authorization', `Bearer ${token}`).expect(200)).body;
    const xlsx = await secured
      .http()
      .get('/reports/greater-manchester/2014-15')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', XLSX_TYPE)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(xlsx.headers['content-type']).toContain(XLSX_TYPE);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body);
    expect(book.worksheets).toHaveLength(json.tables.length + 1);
    let compared = 0;
    for (const table of json.tables) {
      const sheet = book.getWorksheet(sheetName(table.section, table.id))!;
      table.rows.forEach((row: string, r: number) =>
        table.columns.forEach((column: string, c: number) => {
          const value = json.cells[`${table.id}.${row}.${column}`];
          expect(sheet.getRow(3 + r).getCell(2 + c).value).toBe(Number.isFinite(value) ? value : null);
          compared++;
        }),
      );
    }
    expect(compared).toBe(Object.keys(json.cells).length);
    expect(book.getWorksheet('Notes')!.getRow(2).getCell(2).value).toBe(json.position);
  });
});
