// Lint: typescript-eslint's recommended rules, Vue's, and the import boundaries between processes
// (docs/ARCHITECTURE.md, "Import rules"): common imports nothing outside itself and nothing Node-only;
// core never imports electron, vue, the renderer or the processes built on it (jobs, backend, server,
// cli, preload); only electron/ and preload/ import electron; the preload imports only common; the
// renderer imports only common from src-main and no Node-only package. The rules forbid type imports
// too: every type that crosses a process boundary is defined in src-main/common/contract.
import { builtinModules } from 'node:module'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

const noElectron = { name: 'electron', message: 'Only src-main/electron and src-main/preload may import electron.' }
const noVue = { name: 'vue', message: 'The core is UI-free: no vue outside the renderer.' }

// Code that runs in the page (the renderer, and common, which the renderer bundles) imports no Node
// built-in (with or without `node:`) and no package that needs Node: native addons, or Buffer, fs and
// streams underneath.
const nodeBuiltins = (message) => builtinModules.map((name) => ({ name, message }))
const NODE_ONLY_PACKAGES = ['better-sqlite3', 'onnxruntime-node', 'playwright-core', 'exceljs', 'pngjs', 'jpeg-js', 'tsx', 'electron-vite', 'electron-builder']
const nodeOnly = (message) => ({ regex: `^(node:|(${NODE_ONLY_PACKAGES.join('|')})(/|$))`, message })
/** A relative import that reaches one of src-main's process folders. */
const processFolder = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-output/**', '**/*.py'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/require-default-prop': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-indent': 'off',
      'vue/attribute-hyphenation': 'off',
      'vue/v-on-event-hyphenation': 'off',
    },
  },
  {
    files: ['src-main/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [noElectron, noVue, ...nodeBuiltins('common/ is shared with the renderer: it must run in a browser.')],
          patterns: [
            { regex: processFolder(['core', 'jobs', 'backend', 'server', 'cli', 'electron', 'preload']), message: 'common/ imports nothing outside src-main/common: move the type or constant into src-main/common/contract.' },
            { regex: '(^|/)src-renderer(/|$)', message: 'common/ imports nothing outside src-main/common.' },
            nodeOnly('common/ is shared with the renderer: it must run in a browser.'),
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/jobs/**/*.ts', 'src-main/backend/**/*.ts', 'src-main/server/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron, noVue], patterns: [{ group: ['**/src-renderer/**', '**/electron/*', '**/preload/*'], message: 'The core never imports the renderer or the Electron shell.' }] }],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: processFolder(['jobs', 'backend', 'server', 'cli', 'electron', 'preload']), message: 'The core is the bottom layer: jobs, the backend, the server, the CLI and the shell import it, never the reverse.' }] },
      ],
    },
  },
  {
    files: ['src-main/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!electron$|\\.\\./common/|\\./)', message: 'The preload imports only electron and src-main/common (the bridge contract is src-main/common/contract/bridge.ts).' }] },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [noElectron, ...nodeBuiltins('The renderer runs in a browser: no Node built-ins or native packages.')],
          patterns: [
            { regex: '(^|/)src-main/(?!common/)', message: 'The renderer may import only src-main/common (the contract, the API client and pure helpers).' },
            nodeOnly('The renderer runs in a browser: no Node built-ins or native packages.'),
          ],
        },
      ],
    },
  },
  {
    // Only host/ knows where the page runs; components ask the host what it can do.
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    ignores: ['src-renderer/src/host/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'window', property: 'platonic', message: 'Use the Host (src-renderer/src/host): it is the only reader of the preload bridge.' },
        { object: 'globalThis', property: 'platonic', message: 'Use the Host (src-renderer/src/host): it is the only reader of the preload bridge.' },
      ],
    },
  },
)
