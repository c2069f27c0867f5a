// Lint rules as in temporalio/samples-typescript, plus the determinism guard for workflow code.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'lib/**', 'coverage/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Every union a switch reads is answered case by case (or by an explicit default).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `async` here states a contract, not a wish to await: Fastify sends what an async handler
      // returns, a PayloadCodec and an activity return promises. Requiring an await would mean
      // wrapping values in Promise.resolve for no reader's benefit.
      '@typescript-eslint/require-await': 'off',
      'object-shorthand': ['error', 'always'],
    },
  },
  {
    // Jest reads methods off mocks and clients without calling them (expect(client.get).toHaveBeenCalled).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no provider clients.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, 'axios', 'fastify'].map((name) => ({
            name,
            message: 'Workflow code must be deterministic: no Node built-ins, HTTP or provider clients.',
          })),
          patterns: [
            {
              group: ['**/providers/**', '**/activities/*/**', '**/sandbox/**', '**/worker/**', '**/api/**'],
              message: 'Workflows reach providers only through activities (import type only).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
