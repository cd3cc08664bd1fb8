import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.serverless/**', '.local/**', 'coverage/**', 'models/**', 'scratch/**', '.esbuild/**', '.serverless-bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // CloudFormation-shaped inputs and SDK payloads are typed loosely on purpose at the edges.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // `import { z }` takes zod's whole namespace object into every bundle (locales, JSON Schema
      // conversion …); `import * as z` lets esbuild keep only what a function uses (issue 16).
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
        message: "use `import * as z from 'zod'`: the namespace import tree-shakes",
      }],
    },
  },
  // Plain Node scripts that run before anything is compiled (npm postinstall).
  { files: ['**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', performance: 'readonly' } } },
  // CommonJS build plugins and serverless.yml variable files (serverless-esbuild and osls `require` them).
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
