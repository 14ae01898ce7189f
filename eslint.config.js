// Lint configuration: typescript-eslint's recommended rules over the sources, specs, demo and benches.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'scratch/', 'demo/.build/', 'artifacts/', 'spec/converters/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        globalThis: 'readonly',
        window: 'readonly',
        document: 'readonly',
        performance: 'readonly',
        navigator: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Fixtures and the benchmarks' programs are the plain JavaScript users write; free names come from `scope`.
    files: ['spec/fixtures/**/*.js', 'bench/programs.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    // The package's CommonJS entries, which load the ES modules with require().
    files: ['cjs/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Reference cases mirror AutoGraph's tests line for line, dead stores and unused locals included.
    files: ['spec/reference/**/*.js'],
    rules: {
      'no-useless-assignment': 'off',
      'no-unreachable': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
);
