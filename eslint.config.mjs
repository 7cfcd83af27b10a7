// Lint: typescript-eslint's recommended rules (not type-aware: those took too long for the test run; docs/decisions.md, issue 12).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    // As tsc's noUnusedLocals: a property left out of a rest copy ({ known: _known, ...state }) is not unused.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }] },
  },
  {
    // Synthetic histories are for the demo and generate commands (and the bench, tests): the service never serves one (decisions.md, issue 12.4).
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/synthetic/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/synthetic/**'], message: 'Only the CLI commands use synthetic histories.' }] }] },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', setImmediate: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
