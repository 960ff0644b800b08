// Types for every registered client operation, generated from the storefront contract: the page
// can only select what the contract promises, and each operation's result and variables are typed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../contract/storefront.graphql',
  documents: '../contract/operations/*.graphql',
  generates: {
    'src/graphql/types.generated.ts': {
      plugins: ['typescript-operations'],
      config: {
        onlyOperationTypes: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { Decimal: 'string', DateTime: 'string' },
        useTypeImports: true,
      },
    },
  },
  silent: true,
};

export default config;
