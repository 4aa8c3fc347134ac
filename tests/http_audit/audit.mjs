// Runs the GraphQL-over-HTTP specification's server audits (graphql-http, the spec's
// reference implementation) against the URL given, and prints the results as JSON.
// usage: node audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs URL");
  process.exit(2);
}
const results = await auditServer({ url });
const summary = results.map(({ id, name, status, reason }) => ({ id, name, status, reason }));
console.log(JSON.stringify(summary));
