import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as readline from 'node:readline';
import { LOCAL_OPERATOR } from '../auth/principal';
import { recordNdjson, type LineResult, type NdjsonSummary } from '../commands/record-events/record-ndjson';

/** Ten times the API's batch: a batch costs a few round trips whatever its size (see docs/decisions.md, "Moved from code comments"). */
export const IMPORT_BATCH_SIZE = 10_000;

export interface ImportOptions {
  /** Print one line per refused event (default true). */
  showRefused?: boolean;
  /** Print "acknowledged through line N" after each durable batch. */
  progress?: boolean;
  batchSize?: number;
  out?: NodeJS.WritableStream;
  source?: 'import' | 'demo' | 'generate';
  actor?: string;
  /** Called with the last line of each durably appended batch. */
  onAcknowledged?: (line: number) => void;
}

/** `mappa import FILE.ndjson` (or `-`): the API's validation and command, in batches, each acknowledged only once appended. */
export async function importNdjson(app: INestApplicationContext, file: string, options: ImportOptions = {}): Promise<NdjsonSummary & { refusedLines: LineResult[] }> {
  const out = options.out ?? process.stdout;
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const refusedLines: LineResult[] = [];
  const summary = await recordNdjson(
    lines,
    app.get(CommandBus),
    { principal: LOCAL_OPERATOR, actor: options.actor ?? process.env.USER ?? 'cli', agency: 'moj', source: options.source ?? 'import', correlationId: randomUUID() },
    (results) => {
      for (const r of results) {
        if (r.status !== 'refused') continue;
        refusedLines.push(r);
        if (options.showRefused !== false) out.write(`line ${r.line}: refused (${r.error.error}) ${r.error.message}\n`);
      }
      if (results.length) options.onAcknowledged?.(results[results.length - 1].line);
      if (options.progress && results.length) out.write(`acknowledged through line ${results[results.length - 1].line}\n`);
    },
    options.batchSize ?? IMPORT_BATCH_SIZE,
  );
  return { ...summary, refusedLines };
}
