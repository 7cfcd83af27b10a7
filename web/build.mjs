/* global process, console */
// Builds the workbench page (issue 15) into dist/web: one script bundle, one stylesheet, index.html.
// Run by `npm run build:web` (and so by `npm ci`'s prepare step); prints what the browser downloads.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'dist', 'web');
/** JavaScript shipped, gzipped, at most (issue 15.3). */
const BUDGET_KB = 250;

await mkdir(out, { recursive: true });
await build({
  entryPoints: { workbench: path.join(here, 'src', 'main.tsx'), 'workbench-style': path.join(here, 'src', 'style.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(path.join(out, 'workbench-style.css'), path.join(out, 'workbench.css'));
await copyFile(path.join(here, 'index.html'), path.join(out, 'index.html'));

const js = await readFile(path.join(out, 'workbench.js'));
const gz = gzipSync(js, { level: 9 }).length / 1024;
console.log(`workbench: ${(js.length / 1024).toFixed(1)} KB of JavaScript, ${gz.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB) -> ${path.relative(process.cwd(), out) || '.'}`);
if (gz > BUDGET_KB) {
  console.error(`The workbench's JavaScript is over its ${BUDGET_KB} KB gzipped budget.`);
  process.exit(1);
}
