import { Command } from 'commander';
import { registerDemoCommand, type DemoResult } from '../../src/cli/demo.command';

// `mappa demo` itself (not only its outcome function) exits 1 when a reconciliation check fails,
// an event is refused or a published cell differs, and 0 when all came out (issue 12, item 7).

describe('the exit status of mappa demo', () => {
  // The publication the demo records does not decide its exit status (its printed figures fail checks by design).
  const publication = {} as DemoResult['publication'];
  const clean: DemoResult = { events: 10, appended: 10, refused: 0, importSeconds: 1, differences: [], failedChecks: 0, htmlFile: 'demo.html', publication };
  const exitStatusOf = async (result: DemoResult): Promise<typeof process.exitCode> => {
    const program = new Command().exitOverride();
    registerDemoCommand(program, async () => result);
    const before = process.exitCode;
    try {
      await program.parseAsync(['demo', '--data-dir', 'unused', '--out', 'unused.html'], { from: 'user' });
      return process.exitCode;
    } finally {
      process.exitCode = before;
    }
  };

  it('is 1 when a reconciliation check fails', async () => {
    expect(await exitStatusOf({ ...clean, failedChecks: 1 })).toBe(1);
  });

  it('is 1 when an event is refused or a published cell differs', async () => {
    expect(await exitStatusOf({ ...clean, refused: 1 })).toBe(1);
    expect(await exitStatusOf({ ...clean, differences: [{ cell: 'offendersOnSnapshot.total.total', computed: 1, published: 2 }] as never })).toBe(1);
  });

  it('is 0 when everything came out', async () => {
    expect(await exitStatusOf(clean)).toBe(0);
  });
});
