import { cliEnv, ensureCliBuilt, runMappa } from '../support/built-cli';

// Every command's --help ends with one or two examples a newcomer can copy.

describe('mappa COMMAND --help', () => {
  beforeAll(() => ensureCliBuilt(), 300_000);

  it('lists every command, and each one ends its help with examples of itself', async () => {
    const help = await runMappa(['help'], cliEnv({}));
    const commands = [...help.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['demo', 'report', 'snapshot', 'trace', 'check', 'import', 'serve', 'migrate']));
    for (const command of commands) {
      const { stdout, code } = await runMappa([command, '--help'], cliEnv({}));
      const examples = stdout
        .slice(stdout.lastIndexOf('\nExamples:\n') + 1)
        .trim()
        .split('\n')
        .slice(1);
      expect({ command, code, hasExamples: stdout.includes('\nExamples:\n') }).toEqual({ command, code: 0, hasExamples: true });
      expect(examples.length).toBeGreaterThanOrEqual(1);
      expect(examples.length).toBeLessThanOrEqual(2);
      for (const example of examples)
        expect({ command, example }).toEqual({ command, example: expect.stringMatching(new RegExp(`\\$ (\\S+=\\S+ )*npx mappa ${command}\\b|\\| npx mappa ${command}\\b`)) });
    }
  }, 120_000);
});
