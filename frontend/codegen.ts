import type { CodegenConfig } from "@graphql-codegen/cli";

// Types come from the committed SDL, so a contract change breaks `npm run build`
// (and `make test`) instead of the user. GRAPHQL_SCHEMA may point at another SDL
// file, e.g. a freshly printed one (`cnop print-schema > /tmp/schema.graphql`).
const config: CodegenConfig = {
  schema: process.env.GRAPHQL_SCHEMA ?? "../schema/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Decimal: "string", DateTime: "string", Date: "string" },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
      },
    },
  },
};

export default config;
