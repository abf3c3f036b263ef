// Flat, type-checked ESLint with the import boundaries of STYLE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import vitest from '@vitest/eslint-plugin';
import globals from 'globals';

const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/__fixtures__/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'build/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict([
        { group: ['electron', 'node:*', 'fs', 'path', 'child_process', 'ssh2', 'ws'], message: 'The renderer is untrusted: no Node, no Electron.' },
      ]),
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/node-agent/**'], allowTypeImports: true, message: 'The renderer reaches main only through window.hyperdesk; contract types only.' }] }],
    },
  },
  {
    files: ['node-agent/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/main/**', '**/preload/**', '**/renderer/**', 'electron'], message: 'node-agent imports nothing from the app.' },
        { group: ['child_process', 'node:child_process'], message: 'Start processes through node-agent/src/exec.' },
      ]),
    },
  },
  {
    files: ['node-agent/src/exec/**/*.ts', 'node-agent/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrict([{ group: ['**/main/**', '**/preload/**', '**/renderer/**', 'electron'] }]) },
  },
  {
    files: ['preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/node-agent/**', '**/renderer/**'], allowTypeImports: true, message: 'preload imports only electron and the API types.' }] }],
      'no-restricted-imports': restrict([{ group: ['node:*', 'fs', 'path', 'ssh2', 'ws'], message: 'preload imports only electron and the API types.' }]),
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/cli/**/*.ts', 'main/web/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([{ group: ['electron'], message: 'main/core is Electron-free.' }, { group: ['**/renderer/**'] }]) },
  },
  {
    files: ['**/*.test.{ts,tsx}', 'test/**/*.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      'vitest/no-focused-tests': 'error',
      'vitest/no-disabled-tests': 'error',
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      'vitest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expectTypeOf', 'assert*', 'expect*'] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
