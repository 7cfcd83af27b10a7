import type { BenchScale } from './bench-scales';
import type { PeerArgs } from './peer';
import type { PhaseResult } from './phases';
import type { Check } from './write-results';

// The peer comparison's settings per scale and its section of docs/benchmarks.md ("Side by side with a peer").

type PeerSideResult = PhaseResult<'peer'>;

/** Ours beside Emmett's, possibly measured by another run than the rest (its own commit and scale). */
export interface PeerResults {
  generatedAt: string;
  commit: { id: string | null; dirty: boolean };
  scale: string;
  timed: boolean;
  command: string;
  /** The version of @event-driven-io/emmett-postgresql measured. */
  emmett: string | null;
  ours: PeerSideResult;
  peer: PeerSideResult;
  checks: Check[];
}

/** Smoke: about 200 events, seconds. Otherwise the events of 5,000 (medium) or 20,000 (national) offenders, a few minutes a side. */
export function peerArgs(scale: BenchScale, url: string, file: string): Omit<PeerArgs, 'side' | 'schema'> {
  const offenders = scale.name === 'smoke' ? 50 : scale.name === 'medium' ? 5_000 : 20_000;
  return { url, file, offenders, streamsRead: scale.name === 'smoke' ? 50 : 2_000, writers: 8, poolSize: 8, pageSize: 10_000 };
}

/** Functional, not timed: each side read back each stream whole, ours the whole log once each; Emmett's paging of the whole log is only reported (see emmettPaging). */
export function peerChecks(ours: PeerSideResult, peer: PeerSideResult): Check[] {
  const side = (name: string, r: PeerSideResult): Check[] => [
    {
      id: `peer-${name}-reads-back-every-event`,
      ok: name === 'emmett' || (r.readAll.events === r.appended && r.readAll.distinct === r.appended && r.appended > 0),
      detail: `${r.appended} appended, ${r.readAll.events} read from the start, ${r.readAll.distinct} distinct` + (name === 'emmett' ? `; ${emmettPaging(r)}` : ''),
    },
    {
      id: `peer-${name}-reads-each-stream-whole`,
      ok: r.readStream.readBackWhole === r.readStream.streams && r.readStream.streams > 0,
      detail: `${r.readStream.readBackWhole} of ${r.readStream.streams} streams read back whole`,
    },
  ];
  return [
    ...side('ours', ours),
    ...side('emmett', peer),
    {
      id: 'peer-same-events-both-sides',
      ok: ours.appended === peer.appended && ours.sample.events === peer.sample.events,
      detail: `ours ${ours.appended} events, Emmett's ${peer.appended}`,
    },
  ];
}

/** Emmett's readMessagesBatch orders a page by transaction id but starts the next after the last global position, so after concurrent appends a page boundary may repeat or skip an event; reported, not failed. */
export function emmettPaging(r: PeerSideResult): string {
  const repeated = r.readAll.events - r.readAll.distinct;
  const missed = r.appended - r.readAll.distinct;
  return repeated === 0 && missed === 0 ? 'every event once' : `${repeated} read twice and ${missed} never read (its pages follow transaction order, its cursor position order)`;
}

export interface PeerFigure {
  id: string;
  label: string;
  ours: string;
  peer: string;
  /** How many times as fast ours is (above 1: ours faster). */
  speed: number;
}

export function peerFigures(p: PeerResults): PeerFigure[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  const throughput = (r: PeerSideResult['single']) =>
    `${n(r.eventsPerSecond)} events/s (${n(r.events)} events in ${n(r.appends)} appends, ${r.seconds.toFixed(1)} s` +
    (r.latency ? `; per append median ${r.latency.medianMs} ms, p95 ${r.latency.p95Ms} ms)` : ')');
  const { ours, peer } = p;
  return [
    {
      id: 'single',
      label: 'a. Appends with an expected version, one event per append',
      ours: throughput(ours.single),
      peer: throughput(peer.single),
      speed: ours.single.eventsPerSecond / peer.single.eventsPerSecond,
    },
    {
      id: 'batched',
      label: "b. Appends with an expected version, each offender's events in one append",
      ours: throughput(ours.batched),
      peer: throughput(peer.batched),
      speed: ours.batched.eventsPerSecond / peer.batched.eventsPerSecond,
    },
    {
      id: 'concurrent',
      label: `c. ${ours.concurrent.writers} concurrent writers on distinct streams, one event per append with an expected version`,
      ours: throughput(ours.concurrent),
      peer: throughput(peer.concurrent),
      speed: ours.concurrent.eventsPerSecond / peer.concurrent.eventsPerSecond,
    },
    {
      id: 'readStream',
      label: `d. Reading one stream (${n(ours.readStream.streams)} streams of ${(ours.readStream.events / ours.readStream.streams).toFixed(1)} events on average, one after another)`,
      ours: `median ${ours.readStream.latency.medianMs} ms, p95 ${ours.readStream.latency.p95Ms} ms`,
      peer: `median ${peer.readStream.latency.medianMs} ms, p95 ${peer.readStream.latency.p95Ms} ms`,
      speed: peer.readStream.latency.medianMs / ours.readStream.latency.medianMs,
    },
    {
      id: 'readAll',
      label: `e. Reading everything from the start (pages of ${n(ours.readAll.pageSize)})`,
      ours: `${n(ours.readAll.eventsPerSecond)} events/s (${n(ours.readAll.events)} events in ${ours.readAll.seconds.toFixed(1)} s)`,
      peer: `${n(peer.readAll.eventsPerSecond)} events/s (${n(peer.readAll.events)} events in ${peer.readAll.seconds.toFixed(1)} s)`,
      speed: ours.readAll.eventsPerSecond / peer.readAll.eventsPerSecond,
    },
  ];
}

const speedText = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;

/** A table per figure: ours, Emmett's, and how many times as fast ours is. */
export function peerMarkdown(p: PeerResults): string[] {
  const lines: string[] = [];
  lines.push("## Side by side with a peer: Emmett's PostgreSQL event store (issue 13, item 5)");
  lines.push('');
  lines.push(`Measured by \`${p.command}\` at ${p.generatedAt}, commit ${p.commit.id ?? 'unknown'}${p.commit.dirty ? ' with uncommitted changes' : ''}, scale **${p.scale}**.`);
  if (!p.timed) lines.push('', `**Scale ${p.scale}: a smoke run; its figures are not measurements of anything.**`);
  lines.push('');
  lines.push(
    `Our \`PostgresEventStore\` (through the \`EventStore\` port) and \`@event-driven-io/emmett-postgresql\` ${p.emmett ?? '?'} (\`getPostgreSQLEventStore\`, its ` +
      `\`readMessagesBatch\` for the whole log), each in a schema of its own on the same PostgreSQL, one after the other, each in a process of its own ` +
      `with a pool of ${p.ours.poolSize} connections and the same warm-up. The events: those of the first ${p.ours.sample.offenders.toLocaleString('en-GB')} ` +
      `offenders of the generated history (${p.ours.sample.events.toLocaleString('en-GB')} events, the longest stream ${p.ours.sample.longestStream}), ` +
      'in the order `mappa import` appends them, appended once per figure a, b and c under streams of its own, so d and e read a store of ' +
      `${p.ours.appended.toLocaleString('en-GB')} events. What each side does per append: bench/notes.md, "Side by side with a peer".`,
  );
  for (const f of peerFigures(p)) {
    lines.push('');
    lines.push(`### ${f.label}`);
    lines.push('');
    lines.push('| store | measured |');
    lines.push('| --- | --- |');
    lines.push(`| ours (PostgresEventStore) | ${f.ours} |`);
    lines.push(`| Emmett's | ${f.peer} |`);
    lines.push('');
    const verdict = !p.timed ? '' : f.speed >= 1 ? ' At least as fast: yes.' : ' At least as fast: **no** (bench/notes.md says why).';
    lines.push(`Ours is ${speedText(f.speed)} as fast as Emmett's.${verdict}`);
  }
  lines.push('');
  lines.push('Checks: ' + p.checks.map((c) => `${c.ok ? 'pass' : '**FAIL**'} ${c.id} (${c.detail})`).join('; ') + '.');
  return lines;
}
