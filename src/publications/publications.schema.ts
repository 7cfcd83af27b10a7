/** Publications (issue 14.2): not a read model, so `mappa rebuild` leaves them alone; append-only, a correction is a later publication. */
export const PUBLICATIONS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS publications (
  id             bigserial   PRIMARY KEY,
  area           text        NOT NULL,
  year           integer     NOT NULL,
  position       bigint      NOT NULL,
  as_known_at    timestamptz,
  published_on   date        NOT NULL,
  recorded_at    timestamptz NOT NULL,
  actor          text        NOT NULL,
  agency         text        NOT NULL,
  computed_cells jsonb       NOT NULL,
  figures        jsonb,
  figure_checks  jsonb
);

CREATE INDEX IF NOT EXISTS publications_area_year_idx ON publications (area, year, id);

CREATE OR REPLACE FUNCTION publications_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'publications is append-only: % is refused', TG_OP;
END
$$;

CREATE OR REPLACE TRIGGER publications_no_change
  BEFORE UPDATE OR DELETE ON publications FOR EACH ROW EXECUTE FUNCTION publications_append_only();

CREATE OR REPLACE TRIGGER publications_no_truncate
  BEFORE TRUNCATE ON publications FOR EACH STATEMENT EXECUTE FUNCTION publications_append_only();
`;

/** Serialises concurrent schema creation on a shared server. */
export const PUBLICATIONS_INIT_LOCK = 74_350_321;
