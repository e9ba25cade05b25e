// Lint: typescript-eslint's recommended rules, Vue's, and the import boundaries between processes
// (ARCHITECTURE.md): common imports nothing outside itself; core never imports electron, vue or the
// renderer; only electron/ and preload/ import electron; the renderer imports only common from src-main.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

const noElectron = { name: 'electron', message: 'Only src-main/electron and src-main/preload may import electron.' }
const noVue = { name: 'vue', message: 'The core is UI-free: no vue outside the renderer.' }

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
    // Type-only imports are erased at build time, so the contract may name result types defined next
    // to the code that produces them; values may not cross.
    files: ['src-main/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noElectron, noVue], patterns: [{ group: ['../core/*', '../../core/*', '../server/*', '../cli/*', '../jobs/*', '../backend/*', '../electron/*', '../preload/*', 'node:*'], message: 'common/ is pure TypeScript shared with the renderer: import nothing outside src-main/common.', allowTypeImports: true }] }],
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/jobs/**/*.ts', 'src-main/backend/**/*.ts', 'src-main/server/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron, noVue], patterns: [{ group: ['**/src-renderer/**', '**/electron/*', '**/preload/*'], message: 'The core never imports the renderer or the Electron shell.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['**/src-main/core/**', '**/src-main/backend/**', '**/src-main/server/**', '**/src-main/cli/**', '**/src-main/jobs/**', '**/src-main/electron/**', '**/src-main/preload/**', 'node:*'], message: 'The renderer may import only src-main/common (types and pure helpers).', allowTypeImports: true }] }],
    },
  },
)
