/** Tables of the PostgreSQL-family store; the head row is locked by every append to hand out positions in commit order (see docs/decisions.md, "Moved from code comments"). */
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
