/**
 * Trusted documents: the web app names its queries by the SHA-256 its build wrote
 * to persisted-documents.json, instead of sending their text.
 */
import { expect, test } from "./support";

test("the web app sends its queries by hash", async ({ page, request }) => {
  // POST bodies, and GET requests (the catalogue's, cacheable) read from their URL.
  const bodies: Array<Record<string, unknown>> = [];
  page.on("request", (sent) => {
    const url = new URL(sent.url());
    if (url.pathname !== "/graphql") return;
    if (sent.method() === "POST") bodies.push(sent.postDataJSON() as Record<string, unknown>);
    if (sent.method() === "GET" && url.searchParams.has("extensions")) {
      const query = url.searchParams.get("query") ?? undefined;
      bodies.push({ query, extensions: JSON.parse(url.searchParams.get("extensions") ?? "{}") });
    }
  });

  await page.goto("/");
  await expect.poll(() => bodies.length, { timeout: 20_000 }).toBeGreaterThan(0);

  const manifest = (await (await request.get("/persisted-documents.json")).json()) as Record<string, string>;
  for (const body of bodies) {
    const hash = (body.extensions as { persistedQuery?: { sha256Hash?: string } } | undefined)?.persistedQuery
      ?.sha256Hash;
    expect(hash, JSON.stringify(body)).toBeTruthy();
    expect(body.query, "no text alongside the hash").toBeUndefined();
    expect(Object.keys(manifest)).toContain(hash);
  }
});
