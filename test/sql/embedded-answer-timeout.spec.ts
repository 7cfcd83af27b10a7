import { DEFAULT_EMBEDDED_ANSWER_TIMEOUT_MS, loadEmbeddedAnswerTimeoutMs } from '../../src/sql/pglite-sql-client';

describe('EMBEDDED_ANSWER_TIMEOUT_MS', () => {
  it('defaults to 30 s, takes whole milliseconds (0: no limit), and refuses anything else naming the variable', () => {
    expect(DEFAULT_EMBEDDED_ANSWER_TIMEOUT_MS).toBe(30_000);
    expect(loadEmbeddedAnswerTimeoutMs({})).toBe(DEFAULT_EMBEDDED_ANSWER_TIMEOUT_MS);
    expect(loadEmbeddedAnswerTimeoutMs({ EMBEDDED_ANSWER_TIMEOUT_MS: ' 5000 ' })).toBe(5000);
    expect(loadEmbeddedAnswerTimeoutMs({ EMBEDDED_ANSWER_TIMEOUT_MS: '0' })).toBe(0);
    for (const bad of ['-1', '1.5', '5s', 'soon']) {
      expect(() => loadEmbeddedAnswerTimeoutMs({ EMBEDDED_ANSWER_TIMEOUT_MS: bad })).toThrow(/EMBEDDED_ANSWER_TIMEOUT_MS must be a whole number of milliseconds/);
    }
  });
});
