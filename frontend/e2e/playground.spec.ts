/**
 * The GraphiQL playground the API serves at /graphql, in a real browser with every
 * host but this machine blocked: it must load (no CDN), run a query with the
 * headers editor's bearer token, and stream a subscription over the websocket.
 * A screenshot of it goes with the others (docs/screenshots/ under `make screenshots`).
 */
import type { Page } from "@playwright/test";
import path from "node:path";
import { expect, newUsername, PASSWORD, screenshotsDir, test } from "./support";

const SHOTS = screenshotsDir();

function playground(params: Record<string, string>): string {
  return `/graphql#${new URLSearchParams(params).toString()}`;
}

/** Opens the playground and waits for it to have read the schema (it runs nothing before). */
async function open(page: Page, params: Record<string, string>): Promise<void> {
  const schemaRead = page.waitForResponse(
    (answer) => answer.url().endsWith("/graphql") && (answer.request().postData() ?? "").includes("__schema"),
  );
  await page.goto(playground(params));
  expect((await schemaRead).ok()).toBe(true);
  await expect(page.getByRole("button", { name: /Execute query/ })).toBeVisible();
}

/** Runs the open tab's operation. A click that lands while the editor is still
 * settling can go unheard, so it is repeated until the operation shows it started. */
async function run(page: Page, started: () => Promise<void>): Promise<void> {
  await expect(async () => {
    const stop = page.getByRole("button", { name: /Stop query/ });
    const answered = (await response(page).innerText()).trim() !== "";
    if (!answered && !(await stop.isVisible())) {
      await page.getByRole("button", { name: /Execute query/ }).click();
    }
    await started();
  }).toPass({ timeout: 30_000, intervals: [500, 1_000, 2_000] });
}

function response(page: Page) {
  return page.locator(".graphiql-response");
}

test("GraphiQL loads from the server alone and runs queries and subscriptions", async ({ page, request, refused, pageErrors }) => {
  // A user to sign the query with, registered over plain HTTP.
  const username = newUsername("gq");
  const registered = await request.post("/graphql", {
    data: {
      query: `mutation ($input: RegisterInput!) { register(input: $input) { token errors { code } } }`,
      variables: { input: { username, email: `${username}@example.com`, password: PASSWORD } },
    },
  });
  const token = (await registered.json()).data.register.token as string;
  expect(token).toBeTruthy();

  await test.step("a signed-in query with the token from the headers editor", async () => {
    await open(page, {
      query: "query Me {\n  me { username balance { cash } }\n}\n",
      headers: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2),
    });
    await run(page, () => expect(response(page)).toContainText(`"username": "${username}"`, { timeout: 3_000 }));
    await expect(response(page)).toContainText('"cash"');
  });

  await test.step("the schema documentation", async () => {
    await page.getByRole("button", { name: /Show Documentation Explorer/ }).click();
    await expect(page.locator(".graphiql-doc-explorer")).toContainText("Subscription");
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: path.join(SHOTS, "graphiql.png"), animations: "disabled" });
  });

  await test.step("a subscription streams price ticks over the websocket", async () => {
    // A new page load (a change of fragment alone would not reload GraphiQL).
    await page.goto("about:blank");
    await open(page, { query: 'subscription Ticks {\n  prices(symbols: ["BTC"]) { symbol price at }\n}\n' });
    await run(page, () => expect(response(page)).toContainText('"symbol": "BTC"', { timeout: 5_000 }));
    const first = await response(page).innerText();
    // Ticks keep coming: the shown price tick changes (its timestamp at least).
    await expect.poll(() => response(page).innerText(), { timeout: 20_000 }).not.toBe(first);
    await page.getByRole("button", { name: /Stop query/ }).click();
  });

  expect(refused, "no request left this machine").toEqual([]);
  expect(pageErrors).toEqual([]);
});
