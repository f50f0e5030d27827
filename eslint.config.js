import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.wrangler/**', 'coverage/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The send and pull paths and the store run per request and per message. The TypeScript loader
    // names every function that is bound to a name inside a function, defining its `name` each time
    // it is made (docs/architecture.md, section 4), so there such helpers live at module level.
    files: [
      'data-plane/broker/processors/send.ts', 'data-plane/broker/processors/pull.ts', 'data-plane/broker/long-polling.ts',
      'data-plane/store/{message-store,commit-log,log-writer,dispatch,consume-queue,index-service,index-file,get-message,properties,flush}.ts',
      'sdk/protocol/{frame,command,header-binary,header-json,message-record,batch-body,message-properties}.ts', 'sdk/native/producer/producer.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: ':function VariableDeclarator > :matches(ArrowFunctionExpression, FunctionExpression)',
          message: 'a function bound to a name inside a function is named each time it is made; move it to module level',
        },
        {
          selector: ':function FunctionDeclaration',
          message: 'a function declared inside a function is named each time it is made; move it to module level',
        },
      ],
    },
  },
  {
    files: ['bin/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
