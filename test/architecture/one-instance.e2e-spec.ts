import type { INestApplicationContext } from '@nestjs/common';
import type { NestContainer } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { ProjectionFailures } from '../../projections/projection-failures';
import { PROJECTION_RUNNER, PROJECTOR_LEASE, READ_SIDE_OPTIONS } from '../../projections/read-models.tokens';
import { RebuildRequests } from '../../projections/rebuild-requests';
import { AccessAudit } from '../../src/audit/access-audit';
import { AUTH_SETTINGS } from '../../src/auth/auth-settings';
import { Authenticator } from '../../src/auth/authenticator';
import { createCliContext } from '../../src/cli/app-context';
import { RecordOffenderEventsHandler } from '../../src/commands/record-events/record-offender-events.handler';
import type { AppConfig } from '../../src/config/app-config';
import { CLOCK } from '../../src/config/clock';
import { EVENT_STORE } from '../../src/event-store/event-store';
import { STORAGE } from '../../src/event-store/storage';
import { ADMISSION_CONTROL, defaultAdmissionLimits, type AdmissionControl } from '../../src/http/admission-control';
import { createHttpApp } from '../../src/http/create-http-app';
import { REPORT_READ_LIMITER } from '../../src/http/report-read-limiter';
import { OperatorMetrics } from '../../src/metrics/operator-metrics';
import { Publications } from '../../src/publications/publications';
import { RevisionsService } from '../../src/publications/revisions';
import { ReportService } from '../../src/reports/report.service';
import { TrendsService } from '../../src/reports/trends';
import { PgSqlClient } from '../../src/sql/pg-sql-client';
import { DATABASE_CONDITION } from '../../src/sql/store-condition';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';

// Issue 12.3: the wiring is split into one module per room, and each thing the process must hold
// once (the store and its pool, the projector and its lease, the admission and read budgets, the
// stream cache inside the one write handler) is still made once, whichever rooms inject it. Two of
// any would split a budget or open a second pool (the pool-exhaustion test in database-faults).

const SHARED = [
  STORAGE,
  EVENT_STORE,
  DATABASE_CONDITION,
  CLOCK,
  AUTH_SETTINGS,
  READ_SIDE_OPTIONS,
  PROJECTION_RUNNER,
  PROJECTOR_LEASE,
  RebuildRequests,
  ProjectionFailures,
  ReportService,
  Publications,
  RevisionsService,
  TrendsService,
  AccessAudit,
  RecordOffenderEventsHandler,
];
const SERVED_ONLY = [ADMISSION_CONTROL, REPORT_READ_LIMITER, OperatorMetrics, Authenticator];

type Token = (typeof SHARED)[number] | (typeof SERVED_ONLY)[number];
const nameOf = (token: Token) => (typeof token === 'symbol' ? token.description : token.name);

/** Every module that declares a provider for the token itself (not an alias), and the instances they hold. */
function declarations(app: INestApplicationContext, token: Token): { modules: string[]; instances: Set<unknown> } {
  const container = (app as unknown as { container: NestContainer }).container;
  const modules: string[] = [];
  const instances = new Set<unknown>();
  for (const module of container.getModules().values()) {
    const wrapper = module.providers.get(token) as InstanceWrapper | undefined;
    if (!wrapper || wrapper.isAlias) continue;
    modules.push(module.metatype.name);
    instances.add(wrapper.instance);
  }
  return { modules, instances };
}

function expectOneEach(app: INestApplicationContext, tokens: readonly Token[]): void {
  for (const token of tokens) {
    const { modules, instances } = declarations(app, token);
    expect({ token: nameOf(token), modules: modules.length, instances: instances.size }).toEqual({ token: nameOf(token), modules: 1, instances: 1 });
    // Whoever asks, from any room, gets that one instance.
    expect(app.get(token, { strict: false })).toBe([...instances][0]);
  }
}

describeWithPostgres('one instance of each shared provider across the rooms', (url) => {
  const schema = uniqueSchemaName('rooms');
  const config = (): AppConfig => ({
    eventStore: 'postgres',
    databaseUrl: url,
    dataDir: '/nonexistent',
    port: 0,
    schema,
    database: { poolSize: 2, poolQueue: 1, acquireTimeoutMs: 1000, statementTimeoutMs: 15_000 },
  });
  let pools: jest.SpyInstance;

  beforeEach(() => {
    pools = jest.spyOn(PgSqlClient, 'connect');
  });
  afterEach(() => pools.mockRestore());
  afterAll(() => dropSchema(url, schema));

  it('the service: one store on one pool of the configured size, one of each shared provider, one admission budget as configured', async () => {
    const app = await createHttpApp({ config: config(), rateLimit: false, reportReads: { budgetPerCaller: 2, expensiveWeight: 2 } }, { handleSignals: false });
    try {
      expect(pools).toHaveBeenCalledTimes(1);
      expect(pools.mock.calls[0][0]).toMatchObject({ schema, maxConnections: 2, maxWaiting: 1 });
      expectOneEach(app, [...SHARED, ...SERVED_ONLY]);
      const admission = app.get<AdmissionControl>(ADMISSION_CONTROL);
      expect(admission.limits).toEqual(defaultAdmissionLimits(config()));
      // The store the handlers write to is the one whose pool the service opened.
      const storage = app.get<{ sql?: unknown }>(STORAGE);
      expect(storage.sql).toBe(await pools.mock.results[0].value);
      // PgSqlClient.connect is the only maker of a pg Pool; this one has the configured size.
      expect((storage.sql as { pool: { options: { max: number } } }).pool.options.max).toBe(2);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('the command line: one store on one pool, one of each shared provider, and nothing the service alone has', async () => {
    const app = await createCliContext({ config: config() });
    try {
      expect(pools).toHaveBeenCalledTimes(1);
      expectOneEach(app, SHARED);
      for (const token of SERVED_ONLY) expect(declarations(app, token).modules).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
