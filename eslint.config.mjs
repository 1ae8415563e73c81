// Type-checked ESLint: see CONVENTIONS.md ("Lint, names, size, comments").
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';

// Every lib under libs/, so a new one is covered by the import rules without editing this file.
const libs = readdirSync(new URL('./libs', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Libs are reached through their index.ts, by name. */
const LIB_BOUNDARIES = [
  { group: ['@identity/*/*'], message: 'Import a lib through its index.ts only (@identity/<lib>).' },
  { group: libs.map((l) => `**/libs/${l}/**`), message: 'Import a lib as @identity/<lib>, never by path.' },
];

const DATA_ACCESS =
  'TypeORM stays inside libs/database and migrations: repositories write SQL through Database (query/one/execute, Tx).';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'bench/**/*.js', 'scripts/**/*.js', '.test-build/**', 'jest.config.js', 'eslint.config.mjs', 'apps/identity/src/web/**/*.js', 'libs/identity-client/src/generated/**', 'libs/identity-client/codegen/**/*.js', 'libs/identity-client/jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: {
      projectService: true,
      tsconfigRootDir: import.meta.dirname,
      // Nest injects by emitted constructor metadata: with these two set, consistent-type-imports
      // leaves decorated files' value imports alone (a type-only import would break DI).
      emitDecoratorMetadata: true,
      experimentalDecorators: true,
    }  },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'typeorm', message: DATA_ACCESS }],
        patterns: LIB_BOUNDARIES,
      }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through @identity/config.' }],
    },
  },
  {
    // Where TypeORM itself is the subject: the database lib, the migrations, and tests that build
    // a DataSource of their own (migration and append-only tests, test databases).
    files: ['libs/database/src/**/*.ts', 'migrations/**/*.ts', 'test/**/*.ts', 'libs/*/test/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: LIB_BOUNDARIES }] },
  },
  {
    files: ['libs/config/src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.medium-spec.ts', '**/*.e2e-spec.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.medium-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/valid-expect': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', '**.expect', 'login', 'registerVerified'] }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
