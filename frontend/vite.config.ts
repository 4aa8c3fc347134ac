import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API (HTTP and websocket) to a running `make run`.
const api = process.env.CNOP_API ?? "http://127.0.0.1:8000";

/** Ships codegen's trusted-documents manifest (hash -> operation text) with the
 * build, where the server reads it (TRUSTED_DOCUMENTS_MANIFEST). */
function trustedDocuments(): Plugin {
  const manifest = fileURLToPath(new URL("src/gql/persisted-documents.json", import.meta.url));
  return {
    name: "cnop-trusted-documents",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "persisted-documents.json", source: readFileSync(manifest, "utf8") });
    },
  };
}

export default defineConfig({
  plugins: [react(), trustedDocuments()],
  server: {
    proxy: {
      "/graphql": {
        target: api,
        ws: true,
        changeOrigin: true,
        // The server refuses websockets from other origins (as it should): the
        // dev page's origin is Vite's, so present the API's own instead.
        configure: (proxy) => {
          proxy.on("proxyReqWs", (proxyReq) => proxyReq.setHeader("origin", new URL(api).origin));
        },
      },
      "/health": { target: api, changeOrigin: true },
    },
  },
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      // Two pages: the web app, and the GraphiQL playground that the API serves at
      // /graphql to a browser (bundled here so that it needs no CDN).
      input: {
        main: fileURLToPath(new URL("index.html", import.meta.url)),
        graphiql: fileURLToPath(new URL("graphiql.html", import.meta.url)),
      },
      // GraphiQL's modules start with React Compiler's "use no memo", which a bundle
      // cannot keep per module; harmless, and said once per module otherwise.
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    restoreMocks: true,
  },
});
