import type { Command } from 'commander';

// What `mappa` alone prints, and the examples at the end of each command's --help: a newcomer's first hour, in the order the commands are best tried.

export const TOUR = `mappa: MAPPA offender events and the MAPPA annual report.

Agency systems record what happens to each offender as events; the service keeps them in an
append-only store and counts from them the MAPPA annual report of any area, any year, any date,
as known at any moment, every figure traced back to its events.

Try, in order (the demo store in ./data/demo is found by the other commands):
  1. npx mappa demo                  Greater Manchester's history, its 2014/15 report as published (about a minute)
  2. npx mappa report --area greater-manchester --year 2014-15 --format text
  3. npx mappa snapshot --area greater-manchester --date 2015-03-31
  4. npx mappa trace --area greater-manchester --year 2014-15 --cell recalledForLicenceBreach.level3.total --reason "trying the demo"
  5. npx mappa serve --dev-auth      the HTTP API on your machine; OpenAPI at http://localhost:3000/docs

Every command: npx mappa help; one command: npx mappa report --help.
`;

/** One or two examples per command, shown at the end of its --help. */
export const EXAMPLES: Record<string, string[]> = {
  serve: ['npx mappa serve --dev-auth', 'AUTH_JWT_PUBLIC_KEY_FILE=key.pem AUTH_JWT_ISSUER=https://idp.example AUTH_JWT_AUDIENCE=mappa npx mappa serve'],
  token: ['npx mappa token --role recorder --agency probation --areas greater-manchester', 'npx mappa token --role auditor --agency moj --areas "*" --ttl 30m'],
  import: ['npx mappa import events.ndjson --progress', 'npx mappa generate --scale smoke | npx mappa import -'],
  report: [
    'npx mappa report --area greater-manchester --year 2014-15 --format text',
    'npx mappa report --area england-and-wales --year 2014-15 --as-known-at 2015-04-30T23:59:59Z --format csv --out report.csv',
  ],
  snapshot: ['npx mappa snapshot --area greater-manchester --date 2015-03-31', 'npx mappa snapshot --area greater-manchester --date 2014-09-30 --format json'],
  trace: [
    'npx mappa trace --area greater-manchester --year 2014-15 --cell recalledForLicenceBreach.level3.total --reason "checking the recall figure" --limit 500',
    'npx mappa trace --area greater-manchester --year 2014-15 --cell offendersOnSnapshot.level1.category1 --reason "audit 2015-07" --format csv --out trace.csv',
  ],
  trends: [
    'npx mappa trends --area greater-manchester --table offendersOnSnapshot --from 2010-11 --to 2014-15',
    'npx mappa trends --area greater-manchester --cells offendersOnSnapshot.total.category1,level23InYear.total.total --from 2012-13 --to 2014-15 --format json',
  ],
  check: [
    'npx mappa check reference/published/greater-manchester-2014-15.json --as-printed',
    'npx mappa check reference/published/greater-manchester-2014-15.json --against-area greater-manchester --year 2014-15',
  ],
  publish: [
    'npx mappa publish --area greater-manchester --year 2014-15 --published-on 2015-10-29 --figures reference/published/greater-manchester-2014-15.json',
    'npx mappa publish --area greater-manchester --year 2015-16 --as-known-at 2016-06-30T23:59:59Z',
  ],
  publications: ['npx mappa publications --area greater-manchester', 'npx mappa publications --area greater-manchester --year 2014-15 --format json'],
  publication: ['npx mappa publication 1', 'npx mappa publication 1 --report'],
  revisions: [
    'npx mappa revisions --area greater-manchester --year 2014-15 --from 2015-04-30T23:59:59Z --to publication:1',
    'npx mappa revisions --area greater-manchester --year 2014-15 --from 2015-04-30T23:59:59Z --reason "why the SOPO figure moved"',
  ],
  demo: ['npx mappa demo', 'npx mappa demo --data-dir /tmp/mappa-demo --out demo.html'],
  migrate: ['npx mappa migrate', 'EVENT_STORE=postgres DATABASE_URL=postgres://user@host:5432/mappa npx mappa migrate'],
  rebuild: ['npx mappa rebuild'],
  generate: ['npx mappa generate --scale smoke --out smoke.ndjson', 'npx mappa generate --scale smoke --into-store'],
};

/** Ends every command's --help with its examples. */
export function addExamples(program: Command): void {
  for (const command of program.commands) {
    const examples = EXAMPLES[command.name()];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
}
