import type { SqlClient } from '../sql/sql-client';
import type { EventStore } from './event-store';

export const STORAGE = Symbol('Storage');

/** The event store and, where it is PostgreSQL-family, the same database for read models. */
export interface Storage {
  store: EventStore;
  sql?: SqlClient;
}
