import { echo, withoutCredentials } from '../errors';

/** EVENT_STORE (INTERFACES.md), parsed: which adapter, with what it needs. */
export type EventStoreSetting = { kind: 'embedded' } | { kind: 'postgres'; databaseUrl: string } | { kind: 'eventstoredb'; connectionString: string };

/** The one reading of EVENT_STORE ('embedded', 'postgres' or an esdb:// connection string), or an error saying what is wrong. */
export function parseEventStoreSetting(eventStore: string, databaseUrl: string | undefined): EventStoreSetting {
  if (eventStore === 'embedded') return { kind: 'embedded' };
  if (eventStore === 'postgres') {
    if (!databaseUrl) throw new Error('EVENT_STORE=postgres needs DATABASE_URL (for example postgres://user@host:5432/mappa).');
    return { kind: 'postgres', databaseUrl };
  }
  if (/^esdb(\+discover)?:\/\//.test(eventStore)) return { kind: 'eventstoredb', connectionString: eventStore };
  throw new Error(`EVENT_STORE must be 'embedded', 'postgres' or an esdb:// connection string, not '${echo(withoutCredentials(eventStore))}'.`);
}
