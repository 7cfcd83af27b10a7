import { parseEventStoreSetting } from '../../src/event-store/event-store-setting';

// EVENT_STORE is read in one place (issue 12, item 2): configuration and the store opener share it.

describe('parseEventStoreSetting', () => {
  it('names the adapter and what it needs', () => {
    expect(parseEventStoreSetting('embedded', undefined)).toEqual({ kind: 'embedded' });
    expect(parseEventStoreSetting('postgres', 'postgres://u@h/db')).toEqual({ kind: 'postgres', databaseUrl: 'postgres://u@h/db' });
    expect(parseEventStoreSetting('esdb+discover://h:2113', undefined)).toEqual({ kind: 'eventstoredb', connectionString: 'esdb+discover://h:2113' });
  });

  it('refuses postgres without DATABASE_URL, and anything else without echoing credentials', () => {
    expect(() => parseEventStoreSetting('postgres', undefined)).toThrow(/needs DATABASE_URL/);
    expect(() => parseEventStoreSetting('mysql://admin:secret@h/db', undefined)).toThrow(/EVENT_STORE must be/);
    expect(() => parseEventStoreSetting('mysql://admin:secret@h/db', undefined)).not.toThrow(/secret/);
  });
});
