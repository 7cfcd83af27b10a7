import { demoSucceeded } from '../../src/cli/demo.command';

// `mappa demo` exits non-zero unless everything the README claims of it came out: no event
// refused, every published cell reproduced, every reconciliation check passing.

describe('the outcome of mappa demo', () => {
  const clean = { refused: 0, differences: [], failedChecks: 0 };

  it('succeeds only when nothing is refused, no cell differs and no check fails', () => {
    expect(demoSucceeded(clean)).toBe(true);
    expect(demoSucceeded({ ...clean, refused: 1 })).toBe(false);
    expect(demoSucceeded({ ...clean, differences: [{ cell: 'offendersOnSnapshot.total.total', computed: 1, published: 2 }] as never })).toBe(false);
    expect(demoSucceeded({ ...clean, failedChecks: 1 })).toBe(false);
  });
});
