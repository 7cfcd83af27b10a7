import { createReadStream } from 'node:fs';
import * as readline from 'node:readline';
import { Pool } from 'pg';
import type { EventMetadata, NewOffenderEvent } from '../src/domain/offender-event';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import { PgSqlClient } from '../src/sql/pg-sql-client';
import { PLANNER_SETTINGS } from '../src/sql/sql-client';
import { quoteIdentifier } from '../src/sql/sql-identifier';
import { dropTarget } from './bench-target';
import { latencies, timed, type Latencies } from './measure';

// Issue 13, item 5: our PostgresEventStore beside Emmett's PostgreSQL event store
// (@event-driven-io/emmett-postgresql), on the same server, with the same offender events, the
// same batch sizes, the same pool size and the same warm-up. One side per process: Emmett's
// driver layer (dumbo) sets pg's global type parsers (bigint, jsonb), which would change what our
// store parses if both ran in one process.

export type PeerSide = 'ours' | 'emmett';

export interface PeerArgs {
  url: string;
  /** A schema of this side's own, dropped first and (unless kept) by the caller afterwards. */
  schema: string;
  side: PeerSide;
  /** The generated history (NDJSON), as `mappa import` reads it. */
  file: string;
  /** Offenders of the history whose events are appended (the first to appear in the file). */
  offenders: number;
  /** Streams read one at a time for the read-one-stream figure. */
  streamsRead: number;
  writers: number;
  poolSize: number;
  /** Page size of the read-everything figure. */
  pageSize: number;
}

/** The operations measured, each the store's own call: no command handler, no decide(). */
interface PeerStore {
  /** Appends one offender's events; `lastRevision` null: the stream must not exist. Throws on a conflict. */
  append(offenderId: string, events: readonly NewOffenderEvent[], lastRevision: number | null): Promise<void>;
  /** How many events the stream holds (read in full). */
  readStream(offenderId: string): Promise<number>;
  /** One page of the whole log after `after` (null: from the start), with each event's global position. */
  readAllPage(after: bigint | null, limit: number): Promise<{ positions: bigint[]; last: bigint | null }>;
  close(): Promise<void>;
}

const METADATA: EventMetadata = { actor: 'bench', agency: 'moj', correlationId: 'peer-bench', causationId: null, source: 'import' };

async function openOurs(args: PeerArgs): Promise<PeerStore> {
  const sql = await PgSqlClient.connect({ connectionString: args.url, schema: args.schema, maxConnections: args.poolSize });
  const store = new PostgresEventStore(sql, { ownsSqlClient: true });
  await store.init();
  return {
    async append(offenderId, events, lastRevision) {
      const [result] = await store.appendToStreams([
        { offenderId, expectedRevision: lastRevision ?? 'no-stream', events, metadata: METADATA, recordedAt: new Date().toISOString() },
      ]);
      if (result.status !== 'appended') throw new Error(`ours: ${offenderId}: ${result.status}`);
    },
    readStream: async (offenderId) => (await store.readStream(offenderId)).length,
    async readAllPage(after, limit) {
      const events = await store.readAll(after, limit);
      return { positions: events.map((e) => e.position), last: events.length > 0 ? events[events.length - 1].position : after };
    },
    close: () => store.close(),
  };
}

async function openEmmett(args: PeerArgs): Promise<PeerStore> {
  // Loaded here only, so that our side's process never loads it (header comment). Emmett ships a
  // CommonJS build beside its ES modules, so a plain import() (require() once compiled) loads it.
  const emmett = await import('@event-driven-io/emmett-postgresql');
  const { dumbo } = await import('@event-driven-io/dumbo');
  // The same pool size and planner settings as ours, its tables in a schema of their own.
  const pool = new Pool({
    connectionString: args.url,
    max: args.poolSize,
    options: [`-c search_path=${quoteIdentifier(args.schema)}`, ...PLANNER_SETTINGS.map(([name, value]) => `-c ${name}=${value}`)].join(' '),
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(args.schema)}`);
  const store = emmett.getPostgreSQLEventStore(args.url, { connectionOptions: { pool } });
  await store.schema.migrate();
  const executor = dumbo({ connectionString: args.url, pool });
  return {
    async append(offenderId, events, lastRevision) {
      // Emmett's stream version counts events (0: no stream); ours is the last 0-based revision.
      await store.appendToStream(
        streamName(offenderId),
        events.map((e) => ({
          type: e.type,
          data: { occurredOn: e.occurredOn, ...e.data },
          metadata: { messageId: e.eventId, recordedAt: new Date().toISOString(), ...METADATA },
        })),
        { expectedStreamVersion: BigInt(lastRevision === null ? 0 : lastRevision + 1) },
      );
    },
    readStream: async (offenderId) => (await store.readStream(streamName(offenderId))).events.length,
    async readAllPage(after, limit) {
      const batch = await emmett.readMessagesBatch(executor.execute, { after: after ?? 0n, batchSize: limit });
      return { positions: batch.messages.map((m) => m.metadata.globalPosition), last: batch.messages.length > 0 ? batch.currentGlobalPosition : after };
    },
    async close() {
      await pool.end();
    },
  };
}

const streamName = (offenderId: string) => `offender-${offenderId}`;

/** The events of the first `offenders` offenders to appear in the history, in the file's order (the order `mappa import` appends them). */
async function sampleOf(file: string, offenders: number): Promise<NewOffenderEvent[]> {
  const chosen = new Set<string>();
  const events: NewOffenderEvent[] = [];
  for await (const line of readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (line === '') continue;
    const e = JSON.parse(line) as NewOffenderEvent;
    if (!chosen.has(e.offenderId)) {
      if (chosen.size >= offenders) continue;
      chosen.add(e.offenderId);
    }
    events.push({ eventId: e.eventId, type: e.type, offenderId: e.offenderId, occurredOn: e.occurredOn, data: e.data } as NewOffenderEvent);
  }
  return events;
}

/**
 * The same events under other offender ids and event ids, so that each figure appends to streams
 * of its own in one store (a, b, c: the figures; w: the warm-up). Event ids stay UUIDs.
 */
function copyAs(events: readonly NewOffenderEvent[], tag: 'a' | 'b' | 'c' | 'w'): NewOffenderEvent[] {
  const hex = { a: 'a', b: 'b', c: 'c', w: 'd' }[tag];
  return events.map((e) => ({ ...e, offenderId: `${e.offenderId}.${tag}`, eventId: `${hex}${e.eventId.slice(1)}` }));
}

/** Appends each event on its own, with the expected revision of its stream, in order. */
async function appendOneByOne(store: PeerStore, events: readonly NewOffenderEvent[]): Promise<number[]> {
  const last = new Map<string, number>();
  const ms: number[] = [];
  for (const event of events) {
    const revision = last.get(event.offenderId) ?? null;
    ms.push((await timed(() => store.append(event.offenderId, [event], revision))).ms);
    last.set(event.offenderId, (revision ?? -1) + 1);
  }
  return ms;
}

/** Each offender's events, in the order the offenders first appear. */
function byOffender(events: readonly NewOffenderEvent[]): NewOffenderEvent[][] {
  const streams = new Map<string, NewOffenderEvent[]>();
  for (const e of events) {
    const stream = streams.get(e.offenderId);
    if (stream) stream.push(e);
    else streams.set(e.offenderId, [e]);
  }
  return [...streams.values()];
}

const rate = (events: number, ms: number) => Math.round(events / (ms / 1000));

export interface PeerThroughput {
  events: number;
  appends: number;
  seconds: number;
  eventsPerSecond: number;
  /** Per append; absent where appends overlap (concurrent writers). */
  latency?: Latencies;
}

/** One side's figures (issue 13.5 a-e) and what it read back. */
export async function peer(args: PeerArgs) {
  const sample = await sampleOf(args.file, args.offenders);
  const streams = byOffender(sample);
  await dropTarget({ kind: 'postgres', url: args.url, schema: args.schema });
  const store = args.side === 'ours' ? await openOurs(args) : await openEmmett(args);
  try {
    // Warm-up, not counted: connections opened, statements planned, code compiled, on both sides alike.
    const warm = copyAs(sample.slice(0, Math.min(200, Math.ceil(sample.length / 4))), 'w');
    await appendOneByOne(store, warm);
    for (const s of byOffender(warm).slice(0, 50)) await store.readStream(s[0].offenderId);
    await store.readAllPage(null, args.pageSize);

    // a. One event per append, each with its stream's expected revision, in the file's order.
    const single = copyAs(sample, 'a');
    const a = await timed(() => appendOneByOne(store, single));
    // b. Each offender's events in one append (expected: no stream yet).
    const batched = byOffender(copyAs(sample, 'b'));
    const bMs: number[] = [];
    const b = await timed(async () => {
      for (const events of batched) bMs.push((await timed(() => store.append(events[0].offenderId, events, null))).ms);
    });
    // c. Concurrent writers, each on streams of its own (offenders dealt out in turn), one event per append.
    const concurrent = copyAs(sample, 'c');
    const writerOf = new Map(streams.map((s, i) => [`${s[0].offenderId}.c`, i % args.writers]));
    const shares = Array.from({ length: args.writers }, (_, w) => concurrent.filter((e) => writerOf.get(e.offenderId) === w));
    const c = await timed(() => Promise.all(shares.map((share) => appendOneByOne(store, share))));

    // d. One stream at a time: the offenders of (b), spread over the sample, each read whole.
    const step = Math.max(1, Math.floor(streams.length / args.streamsRead));
    const toRead = streams.filter((_s, i) => i % step === 0).slice(0, args.streamsRead);
    const readMs: number[] = [];
    let streamsReadBack = 0;
    for (const s of toRead) {
      const t = await timed(() => store.readStream(`${s[0].offenderId}.b`));
      readMs.push(t.ms);
      if (t.value === s.length) streamsReadBack++;
    }
    // e. Everything from the start, a page at a time.
    const pages: bigint[][] = [];
    const e = await timed(async () => {
      let after: bigint | null = null;
      let n = 0;
      for (;;) {
        const page = await store.readAllPage(after, args.pageSize);
        if (page.positions.length === 0) return n;
        pages.push(page.positions);
        n += page.positions.length;
        after = page.last;
      }
    });
    const distinct = new Set(pages.flat()).size;

    const throughput = (events: number, appends: number, ms: number, perAppend?: number[]): PeerThroughput => ({
      events,
      appends,
      seconds: ms / 1000,
      eventsPerSecond: rate(events, ms),
      ...(perAppend && { latency: latencies(perAppend) }),
    });
    return {
      side: args.side,
      sample: { offenders: streams.length, events: sample.length, longestStream: Math.max(...streams.map((s) => s.length)) },
      single: throughput(single.length, single.length, a.ms, a.value),
      batched: throughput(sample.length, batched.length, b.ms, bMs),
      concurrent: { ...throughput(concurrent.length, concurrent.length, c.ms), writers: args.writers },
      readStream: { latency: latencies(readMs), streams: toRead.length, events: toRead.reduce((n, s) => n + s.length, 0), readBackWhole: streamsReadBack },
      readAll: { events: e.value, distinct, seconds: e.ms / 1000, eventsPerSecond: rate(e.value, e.ms), pageSize: args.pageSize },
      /** Every event appended (warm-up included): what read-everything must find. */
      appended: warm.length + 3 * sample.length,
      poolSize: args.poolSize,
    };
  } finally {
    await store.close();
  }
}
