/**
 * GraphiQL, served by the API at /graphql to a browser, bundled from the
 * `graphiql` package by the web app's build: no script or stylesheet comes from
 * another host, so the playground works where the server has no outside network.
 *
 * Queries and mutations go over HTTP; subscriptions over graphql-transport-ws on
 * the same URL. The headers editor's JSON (e.g. {"Authorization": "Bearer …"})
 * is sent with every HTTP request and as the websocket's connection_init payload,
 * which is where the API reads a subscriber's token.
 */
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { defaultWsUrl } from "../api/client";

const EXAMPLE = `# Queries run over HTTP, subscriptions over a websocket.
# Sign in with the register or login mutation, then put the token in the
# Headers tab below: {"Authorization": "Bearer <token>"}

{
  assets(first: 5) {
    edges { node { symbol name price priceChange24h } }
  }
}
`;

const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  subscriptionUrl: defaultWsUrl(),
  // The API answers every request with one JSON body: no multipart responses.
  enableIncrementalDelivery: false,
});

// A shared link may carry the editors' contents: /graphql#query=…&variables=…&headers=…
// In the fragment, not the query string: a GET with ?query= is a GraphQL request, and
// a fragment never reaches the server (nor its logs), bearer token included.
const shared = new URLSearchParams(window.location.hash.slice(1));

const root = document.getElementById("graphiql");
if (root) {
  root.textContent = "";
  createRoot(root).render(
    <StrictMode>
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={EXAMPLE}
        initialQuery={shared.get("query") ?? undefined}
        initialVariables={shared.get("variables") ?? undefined}
        initialHeaders={shared.get("headers") ?? undefined}
        isHeadersEditorEnabled
        shouldPersistHeaders
      />
    </StrictMode>,
  );
}
