// Lint rules as in temporalio/samples-typescript, plus the determinism guard for workflow code.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'lib/**', 'coverage/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
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
      'object-shorthand': ['error', 'always'],
    },
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
            { group: ['**/providers/**', '**/activities/*/**', '**/sandbox/**', '**/worker/**', '**/api/**'],
              message: 'Workflows reach providers only through activities (import type only).',
              allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
