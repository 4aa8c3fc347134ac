import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

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
      presetConfig: {
        fragmentMasking: false,
        // Trusted documents: src/gql/persisted-documents.json maps each operation's
        // SHA-256 to its text; the build ships it (dist/persisted-documents.json) for
        // the server, and the app sends the hash instead of the text.
        persistedDocuments: { mode: "embedHashInDocument", hashAlgorithm: "sha256" },
      },
      // As urql's cache sends them (with __typename), so the text behind a hash is
      // the text the app would have sent.
      documentTransforms: [addTypenameSelectionDocumentTransform],
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
