import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { resolveServeAuth } from '../auth/auth-config';
import { AuthConfigError } from '../auth/jwt-verifier';
import { AGENCIES, ROLES } from '../auth/principal';
import type { AddressInfo } from 'node:net';
import { loadConfig, wholeNumberSetting } from '../config/app-config';
import { withoutCredentials } from '../errors';
import { loadAdmissionLimits } from '../http/admission-control';
import { createHttpApp } from '../http/create-http-app';
import { createLogger, loadLogSettings } from '../http/request-logging';
import { StartingServer } from '../http/starting-server';
import { loadRateLimit } from '../http/rate-limit';
import { loadReportReadLimits } from '../http/report-read-limiter';
import { DEFAULT_REPORT_STATEMENT_TIMEOUT_MS } from '../../projections/read-models.tokens';
import { loadReportStatementTimeoutMs } from '../sql/statement-timeout';
import { createCliContext } from './app-context';
import { importNdjson } from './import.command';
import { registerGenerateCommand } from './generate.command';
import { registerDemoCommand } from './demo.command';
import { registerReportCommands } from './report.commands';
import { registerOperationsCommands } from './operations.commands';
import { registerPublicationCommands } from './publication.commands';
import { addExamples, TOUR } from './tour';
import { devPublicKeyPem, tokenCommand, type TokenCommandOptions } from './token.command';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS, drainOnSignals } from './serve-shutdown';
import { takeEarlyServer } from './early-listen';

// The `mappa` command (INTERFACES.md, "Command line"): thin adapters onto the buses.

const program = new Command('mappa').description('MAPPA offender events and the MAPPA annual report').showHelpAfterError();

program
  .command('serve')
  .description('the HTTP service (needs AUTH_JWT_* token settings, or --dev-auth on your own machine)')
  .option('--dev-auth', 'development mode: requests without a token act with every role in every area (same as AUTH_DEV_MODE=1)')
  .action(async (opts: { devAuth?: boolean }) => {
    const config = loadConfig();
    const auth = await resolveServeAuth(process.env, { devAuth: opts.devAuth, dataDir: config.dataDir }).catch((error: unknown) => {
      if (!(error instanceof AuthConfigError)) throw error;
      console.error(error.message);
      process.exit(2);
    });
    if (auth.banner) console.warn(auth.banner);
    const logger = createLogger(loadLogSettings());
    const graceMs = wholeNumberSetting('SHUTDOWN_GRACE_SECONDS', process.env.SHUTDOWN_GRACE_SECONDS, DEFAULT_SHUTDOWN_GRACE_SECONDS, { maxDigits: 4, unit: 'seconds' }) * 1000;
    // This machine only unless HOST says otherwise, in every mode: reaching the service from elsewhere is a decision (a TLS proxy in front, or HOST=0.0.0.0 in a container).
    const host = process.env.HOST?.trim() || '127.0.0.1';
    // Listen first: /health answers "starting" while a large store opens (issue 11, item 1).
    const starting = (await takeEarlyServer()) ?? new StartingServer(/^esdb/.test(config.eventStore) ? 'eventstoredb' : config.eventStore);
    if (!starting.server.listening) await starting.listen(config.port, host);
    const { port } = starting.server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`.replace('[::1]', 'localhost');
    logger.info(`accepting connections on ${url}, answering "starting" while the event store opens`);
    const creating = createHttpApp(
      {
        config,
        auth: auth.settings,
        rateLimit: loadRateLimit(),
        reportReads: loadReportReadLimits(),
        admission: loadAdmissionLimits(config),
        reportStatementTimeoutMs: loadReportStatementTimeoutMs(DEFAULT_REPORT_STATEMENT_TIMEOUT_MS),
        logger,
      },
      { server: starting.server, handleSignals: false },
    );
    const draining = drainOnSignals(starting.server, async () => (await creating.catch(() => null))?.close(), logger, graceMs);
    const app = await creating;
    if (draining.stopping()) return;
    await app.init();
    starting.handOver(app.getHttpAdapter().getInstance());
    logger.info(`mappa listening on ${url} (event store: ${withoutCredentials(config.eventStore)}); API docs at /docs`);
    if (auth.banner) console.warn('!! DEVELOPMENT AUTHENTICATION MODE: not for a deployed server (see above).');
  });

program
  .command('token')
  .description('mint a bearer token for development and tests (signed with --private-key, AUTH_JWT_SECRET, or the local development key in DATA_DIR)')
  .option('--role <role...>', `one or more of ${ROLES.join(', ')} (repeat or separate with commas)`)
  .option('--agency <agency>', AGENCIES.join(' | '))
  .option('--areas <areas>', 'MAPPA area ids separated by commas, or * for every area')
  .option('--sub <subject>', 'the token subject (who), default dev-<agency>-<roles>')
  .option('--ttl <lifetime>', 'lifetime such as 3600, 30m, 8h (at most AUTH_JWT_MAX_LIFETIME_SECONDS, default 12h)', '1h')
  .option('--private-key <file>', 'PEM private key (RSA or EC P-256) to sign with')
  .option('--public-key', 'print the public key of the local development key (PEM) instead of a token')
  .action(async (opts: Partial<TokenCommandOptions> & { publicKey?: boolean }) => {
    const config = loadConfig();
    if (opts.publicKey) {
      process.stdout.write(await devPublicKeyPem(config.dataDir));
      return;
    }
    if (!opts.role || !opts.agency || !opts.areas) throw new Error('mappa token needs --role, --agency and --areas (see mappa token --help).');
    console.log(await tokenCommand({ ...opts, role: opts.role, agency: opts.agency, areas: opts.areas }, process.env, config.dataDir));
  });

program
  .command('import')
  .argument('<file>', 'NDJSON file, or - for standard input')
  .option('--progress', 'print "acknowledged through line N" after each durable batch')
  .option('--batch-size <n>', 'lines per batch', (v) => {
    // Not Number(v) alone: NaN would make the whole file one batch, acknowledged only at the end.
    if (!/^\d{1,7}$/.test(v.trim()) || Number(v) < 1) throw new InvalidArgumentError('expected a whole number of lines, at least 1.');
    return Number(v);
  })
  .description('append events through the same validation as the API')
  .action(async (file: string, opts: { progress?: boolean; batchSize?: number }) => {
    const app = await createCliContext();
    let acknowledged = 0;
    try {
      const started = Date.now();
      const summary = await importNdjson(app, file, { progress: opts.progress, batchSize: opts.batchSize, onAcknowledged: (line) => (acknowledged = line) });
      const seconds = (Date.now() - started) / 1000;
      console.log(`imported ${file}: ${summary.appended} appended, ${summary.duplicates} duplicates, ${summary.refused} refused (${seconds.toFixed(1)} s)`);
      process.exitCode = summary.refused > 0 ? 1 : 0;
    } catch (error) {
      // A full or read-only disk (or a lost database) mid-way: say what is kept and how to finish.
      const kept = acknowledged > 0 ? `lines 1-${acknowledged} are stored` : 'no line is stored';
      console.error(`mappa import stopped: ${kept}, and nothing after them. Once the cause is fixed, run the same import again: stored lines count as duplicates.`);
      await app.close().catch(() => undefined); // closing may fail for the same cause; the error that stopped the import is the one to read
      throw error;
    }
    await app.close();
  });

registerReportCommands(program);
registerPublicationCommands(program);
registerDemoCommand(program);
registerOperationsCommands(program);
registerGenerateCommand(program);
addExamples(program);

// `mappa` alone: a short tour rather than the full reference (that is `mappa help`).
if (process.argv.length <= 2) {
  process.stdout.write(TOUR);
  process.exit(0);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
