/** The access audit (docs/security.md, "Audit of access"): not a read model, so no rebuild touches it; a trigger keeps it append-only. */
export const ACCESS_AUDIT_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS access_audit (
  id          bigserial   PRIMARY KEY,
  at          timestamptz NOT NULL,
  actor       text        NOT NULL,
  agency      text        NOT NULL,
  roles       text[]      NOT NULL,
  action      text        NOT NULL,
  target      text        NOT NULL,
  offender_id text,
  areas       text[]      NOT NULL,
  reason      text,
  outcome     text        NOT NULL CHECK (outcome IN ('allowed', 'refused'))
);

CREATE INDEX IF NOT EXISTS access_audit_at_idx ON access_audit (at);

CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_audit is append-only: % is refused', TG_OP;
END
$$;

CREATE OR REPLACE TRIGGER access_audit_no_change
  BEFORE UPDATE OR DELETE ON access_audit FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();

CREATE OR REPLACE TRIGGER access_audit_no_truncate
  BEFORE TRUNCATE ON access_audit FOR EACH STATEMENT EXECUTE FUNCTION access_audit_append_only();
`;

/** Serialises concurrent schema creation on a shared server. */
export const ACCESS_AUDIT_INIT_LOCK = 74_350_311;

/** Serialises appends on a shared server, so entry ids commit in the order they are taken. */
export const ACCESS_AUDIT_APPEND_LOCK = 74_350_312;
