import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { peakRssMiB } from './measure';
import { PHASES, type PhaseName } from './phases';

// One phase of the benchmark in a process of its own: `node bench-phase.js <phase> <args.json> <out.json>`.
// Its peak memory (maxRSS) is then the phase's alone; run-bench.ts reads the answer from out.json.

async function main(): Promise<void> {
  const [name, argsFile, outFile] = process.argv.slice(2);
  if (!(name in PHASES)) throw new Error(`unknown phase ${name}`);
  const args = JSON.parse(await readFile(argsFile, 'utf8'));
  const result = await (PHASES[name as PhaseName] as (a: unknown) => Promise<unknown>)(args);
  await writeFile(outFile, JSON.stringify({ result, peakRssMiB: peakRssMiB() }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
