/**
 * Tables of the PostgreSQL-family event store (PGlite and a PostgreSQL server run the same SQL).
 * Unqualified names: the SqlClient's search_path picks the schema.
 *
 * - `events`: the append-only log. `position` is the global order, gapless from 1; `revision` is
 *   the 0-based place in the offender's stream. Nothing is ever updated or deleted (DOMAIN.md 3).
 * - `event_store_head`: one row holding the last position and last recordedAt. Every append locks
 *   it first, which serialises appenders so positions are handed out in commit order.
 */
export const EVENT_STORE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS events (
  position     bigint      PRIMARY KEY,
  offender_id  text        NOT NULL,
  revision     integer     NOT NULL CHECK (revision >= 0),
  event_id     uuid        NOT NULL UNIQUE,
  type         text        NOT NULL,
  occurred_on  date        NOT NULL,
  recorded_at  timestamptz NOT NULL,
  data         jsonb       NOT NULL,
  metadata     jsonb       NOT NULL,
  CONSTRAINT events_offender_revision_key UNIQUE (offender_id, revision)
);

CREATE TABLE IF NOT EXISTS event_store_head (
  singleton        boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  last_position    bigint      NOT NULL CHECK (last_position >= 0),
  last_recorded_at timestamptz
);

INSERT INTO event_store_head (singleton, last_position) VALUES (true, 0) ON CONFLICT DO NOTHING;
`;

/** Serialises concurrent init() calls: CREATE ... IF NOT EXISTS is not safe against itself. */
export const EVENT_STORE_INIT_LOCK = 74_350_201;
