// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Layering, as in VS Code and Signal: only the Electron shell may import 'electron'; shared code imports
// nothing platform-specific; the renderer never reaches into main; raw IPC lives only in its wrappers.
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only the Electron shell (src/main/electron, src/main/index.ts, src/preload) may import electron.',
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      'bench/results/**',
      'test-results/**',
      '**/*.cjs',
      'bench/**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }],
    },
  },
  {
    files: ['src/main/electron/**', 'src/main/index.ts', 'src/preload/**', 'tests/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='ipcMain'][property.name=/^(on|handle|handleOnce|once)$/]",
          message:
            'Register IPC through src/main/electron/ipc.ts (handle/emit), which validates sender and payload.',
        },
      ],
    },
  },
  {
    files: ['src/main/electron/ipc.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'crypto', 'zlib', 'http'],
              message: 'src/shared must not use Node APIs.',
            },
            {
              group: ['react', 'react-dom', '**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'src/shared imports nothing from the processes.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            { group: ['node:*'], message: 'The renderer is sandboxed: no Node APIs.' },
            {
              group: ['**/main/**', '**/preload/**', '**/cli/**'],
              message: 'The renderer talks to main only through window.quadraxis.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/services/**', 'src/cli/**', 'src/main/app/**', 'src/sandbox/**', 'src/protocol/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // The product reaches the Sandbox only through its entry point (src/sandbox/index.ts).
    files: ['src/main/**', 'src/cli/**'],
    ignores: ['src/main/electron/**', 'src/main/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            {
              group: ['**/sandbox/*', '!**/sandbox/index'],
              message: 'Import the Sandbox from its entry point (src/sandbox), not its internals.',
            },
          ],
        },
      ],
    },
  },
  {
    // The Sandbox is a program of its own: it imports nothing of the product's, only the wire contract.
    files: ['src/sandbox/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            {
              group: ['**/main/**', '**/shared/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
              message: 'The Sandbox imports nothing of the product; shared contracts live in src/protocol.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract between the product, the builder and the Sandbox: plain Node, depends on neither side.
    files: ['src/protocol/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            {
              group: [
                '**/main/**',
                '**/sandbox/**',
                '**/renderer/**',
                '**/preload/**',
                '**/cli/**',
                '**/shared/**',
              ],
              message: 'src/protocol depends on neither the product nor the Sandbox.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**', 'bench/**'],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Stubs of Electron objects are loose by nature.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['*.config.ts', '*.config.mjs', 'eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain Node that runs before anything is built (npm start, packaging): no TypeScript project to check against.
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
