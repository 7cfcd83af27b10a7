import { ProjectionRunner } from '../../projections/projection-runner';
import { openEventStore } from '../../src/event-store/open-event-store';
import { PUBLICATIONS_SCHEMA_SQL } from '../../src/publications/publications.schema';

/**
 * A copy of an embedded store (the demo's) in a PostgreSQL schema of its own: its events as they
 * were recorded (positions, recording times, metadata), its head and its publications; then the
 * read models built there by the projections themselves. What `mappa demo` imports through the
 * command path in minutes, in seconds: tests that need the demo history on PostgreSQL share it.
 */
export async function copyStoreToPostgres(from: { dataDir: string }, to: { url: string; schema: string }): Promise<{ events: number }> {
  const source = await openEventStore({ eventStore: 'embedded', dataDir: from.dataDir });
  const target = await openEventStore({ eventStore: 'postgres', dataDir: '/nonexistent', databaseUrl: to.url, schema: to.schema });
  try {
    const sql = target.sql!;
    const columns = ['position', 'offender_id', 'revision', 'event_id', 'type', 'occurred_on', 'recorded_at', 'data', 'metadata'];
    let after: bigint | null = null;
    let events = 0;
    let last: { position: bigint; recordedAt: string } | null = null;
    for (;;) {
      const batch = await source.store.readAll(after, 10_000);
      if (batch.length === 0) break;
      await sql.copyRows(
        'events',
        columns,
        batch.map((e) => [e.position, e.offenderId, e.revision, e.eventId, e.type, e.occurredOn, e.recordedAt, e.data, JSON.stringify(e.metadata)]),
      );
      events += batch.length;
      after = batch[batch.length - 1].position;
      last = { position: after, recordedAt: batch[batch.length - 1].recordedAt };
    }
    if (last) await sql.query('UPDATE event_store_head SET last_position = $1, last_recorded_at = $2 WHERE singleton', [last.position.toString(), last.recordedAt]);

    // Publications name positions of the store: copied with their ids, the sequence moved past them.
    await sql.exec(PUBLICATIONS_SCHEMA_SQL);
    // As JSON: dates and times as PostgreSQL writes them, not through a JavaScript Date and a time zone.
    const { rows } = await source.sql!.query<{ row: string }>('SELECT row_to_json(p)::text AS row FROM publications p ORDER BY id');
    if (rows.length > 0) {
      const publications = rows.map((r) => JSON.parse(r.row) as Record<string, unknown>);
      const names = Object.keys(publications[0]);
      const json = new Set(['computed_cells', 'figures', 'figure_checks']);
      await sql.copyRows(
        'publications',
        names,
        publications.map((r) => names.map((n) => (json.has(n) && r[n] !== null ? JSON.stringify(r[n]) : r[n]))),
      );
      await sql.query(`SELECT setval(pg_get_serial_sequence('publications', 'id'), (SELECT max(id) FROM publications))`);
    }

    const runner = new ProjectionRunner(target.store, sql);
    await runner.init();
    await runner.catchUp();
    return { events };
  } finally {
    await source.store.close();
    await source.sql?.close();
    await target.store.close();
    await target.sql?.close();
  }
}
