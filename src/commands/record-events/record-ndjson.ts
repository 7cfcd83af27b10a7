import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { NewOffenderEvent } from '../../domain/offender-event';
import { InvalidInputError, MappaError, PayloadTooLargeError } from '../../errors';
import { parseEventInput } from './event-input';
import { MAX_EVENT_BYTES } from './event-limits';
import { parseUntrustedJson } from './untrusted-json';
import { RecordOffenderEventsCommand, type RecordContext, type RecordOutcome } from './record-offender-events.command';

// NDJSON batches (POST /events, `mappa import`): each line recorded on its own, in order, so a bad line never loses a good one.

export type LineResult =
  | { line: number; status: 'appended' | 'duplicate'; eventId: string; offenderId: string; revision: number; position: string; recordedAt: string }
  | { line: number; status: 'refused'; eventId?: string; offenderId?: string; error: ReturnType<MappaError['toBody']> };

export interface NdjsonSummary {
  appended: number;
  duplicates: number;
  refused: number;
  /** Highest global position written by this batch (for ?minPosition read-your-writes). */
  lastPosition: string | null;
}

export const NDJSON_BATCH_SIZE = 1000;

/** Records the lines batch by batch; `onBatch` runs only once a batch is durably appended, so an acknowledgement survives a crash. */
export async function recordNdjson(
  lines: AsyncIterable<string> | Iterable<string>,
  commandBus: CommandBus,
  context: RecordContext,
  onBatch: (results: LineResult[]) => void | Promise<void>,
  batchSize = NDJSON_BATCH_SIZE,
): Promise<NdjsonSummary> {
  const summary: NdjsonSummary = { appended: 0, duplicates: 0, refused: 0, lastPosition: null };
  let lineNo = 0;
  let batch: Array<{ line: number; event?: NewOffenderEvent; error?: MappaError }> = [];

  const record = async (chunk: Array<{ line: number; event?: NewOffenderEvent; error?: MappaError }>) => {
    if (chunk.length === 0) return;
    const parsed = chunk.filter((b) => b.event);
    const outcomes: RecordOutcome[] = parsed.length
      ? await commandBus.execute(
          new RecordOffenderEventsCommand(
            parsed.map((b) => b.event!),
            context,
          ),
        )
      : [];
    const byLine = new Map(parsed.map((b, k) => [b.line, outcomes[k]]));
    const results = chunk.map((b): LineResult => (b.error ? { line: b.line, status: 'refused', error: b.error.toBody() } : toLineResult(b.line, byLine.get(b.line)!)));
    for (const r of results) {
      if (r.status === 'appended') {
        summary.appended++;
        summary.lastPosition = r.position;
      } else if (r.status === 'duplicate') summary.duplicates++;
      else summary.refused++;
    }
    await onBatch(results);
  };
  // The next batch is parsed while this one is recorded (parsing needs no stream); batches and onBatch still go strictly in order.
  let recording: Promise<void> = Promise.resolve();
  const flush = async () => {
    await recording;
    recording = record(batch);
    recording.catch(() => undefined); // awaited at the next flush; not an unhandled rejection meanwhile
    batch = [];
  };

  for await (const text of lines) {
    lineNo++;
    if (isBlankLine(text)) continue;
    try {
      batch.push({ line: lineNo, event: parseLine(text) });
    } catch (error) {
      batch.push({ line: lineNo, error: lineRefusal(error) });
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await recording;
  return summary;
}

/** Blank lines are skipped, and count neither as events nor towards a batch's line limit. */
export const isBlankLine = (text: string): boolean => text.trim() === '';

function parseLine(text: string): NewOffenderEvent {
  // Bytes are at least UTF-16 units and at most three times as many: measure only when in doubt.
  if (text.length > MAX_EVENT_BYTES || (text.length * 3 > MAX_EVENT_BYTES && Buffer.byteLength(text) > MAX_EVENT_BYTES)) {
    throw new PayloadTooLargeError(`The line is larger than ${MAX_EVENT_BYTES / 1024} KB, the largest event the service accepts.`, [
      { rule: 'size', message: `at most ${MAX_EVENT_BYTES} bytes per line` },
    ]);
  }
  return parseEventInput(parseUntrustedJson(text, 'line'), { missingEventId: 'content' });
}

/** A line that cannot be read is refused alone, never failing its batch (issue 10, item 6); a non-MappaError is a bug, so it is logged. */
function lineRefusal(error: unknown): MappaError {
  if (error instanceof MappaError) return error;
  new Logger('ndjson').error(error instanceof Error ? error.stack : String(error));
  return new InvalidInputError('The line could not be read as an event.', [{ rule: 'unreadable', message: 'the line could not be read' }]);
}

function toLineResult(line: number, outcome: RecordOutcome): LineResult {
  if (outcome.status === 'refused') {
    return { line, status: 'refused', eventId: outcome.eventId, offenderId: outcome.offenderId, error: outcome.error.toBody() };
  }
  return { line, ...outcome, position: outcome.position.toString() };
}
