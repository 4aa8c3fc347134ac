/**
 * Price alerts, the value chart, the watchlist and the CSV downloads, in a real
 * browser against the real server (its own test, beside the trader's journey): an
 * alert whose condition already holds fires at once and, created from elsewhere,
 * reaches the open page as a live toast over the websocket.
 */
import { readFileSync } from "node:fs";
import { expect, nav, registerWithCash, test } from "./support";

test("alerts fire, the value chart and the watchlist show, the ledger downloads", async ({ page, request, pageErrors, budget }) => {
  await test.step("register and deposit", async () => {
    await registerWithCash(page, "alerts", "1234.56");
    await expect(page.getByTestId("account-cash")).toHaveText("$1,234.56");
  });

  await test.step("an alert that already holds fires at once", async () => {
    await nav(page, "Alerts").click();
    await page.getByLabel("Asset symbol").fill("btc");
    await page.getByLabel("When the price is").selectOption("ABOVE");
    await page.getByLabel("Price (USD)").fill("0.01");
    await page.getByRole("button", { name: "Set alert" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Price alert: BTC at or above $0.01" })).toBeVisible();
    await expect(page.getByTestId("fired-alerts")).toContainText("BTC at or above $0.01");
    // One that does not hold yet waits in the active list, until deleted.
    await page.getByLabel("When the price is").selectOption("BELOW");
    await page.getByLabel("Price (USD)").fill("0.02");
    await page.getByRole("button", { name: "Set alert" }).click();
    await expect(page.getByTestId("active-alerts")).toContainText("BTC at or below $0.02");
    await page.getByRole("button", { name: "Delete alert BTC at or below $0.02" }).click();
    await expect(page.getByTestId("active-alerts")).toContainText("No active alerts.");
  });

  await test.step("an alert created elsewhere is pushed to the open page", async () => {
    await nav(page, "Dashboard").click();
    await expect(page.getByTestId("socket-status")).toHaveText(/Live/);
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem("cnop.session") ?? "{}").token as string);
    const created = await request.post("/graphql", {
      headers: { Authorization: `Bearer ${token}` },
      data: { query: 'mutation { createPriceAlert(input: {assetSymbol: "ETH", condition: ABOVE, price: "0.05"}) { alert { status } } }' },
    });
    expect((await created.json()).data.createPriceAlert.alert.status).toBe("TRIGGERED");
    await expect(page.getByRole("status").filter({ hasText: "Price alert: ETH at or above $0.05" })).toBeVisible();
  });

  await test.step("the dashboard shows the account's value with a range switch", async () => {
    const chart = page.getByTestId("portfolio-chart");
    await expect(chart).toBeVisible();
    await expect(chart.getByTestId("history-now")).toHaveText("$1,234.56");
    await chart.getByRole("button", { name: "1D" }).click();
    await expect(chart.getByRole("button", { name: "1D" })).toHaveAttribute("aria-pressed", "true");
    await expect(chart.getByTestId("history-now")).toHaveText("$1,234.56");
  });

  await test.step("a starred asset joins the dashboard's watchlist with a live price", async () => {
    await nav(page, "Markets").click();
    await page.getByTestId("star-ETH").click();
    await expect(page.getByTestId("star-ETH")).toHaveAttribute("aria-pressed", "true");
    await nav(page, "Dashboard").click();
    const watchlist = page.getByTestId("watchlist");
    await expect(watchlist.locator('li[data-symbol="ETH"]')).toBeVisible();
    await expect(watchlist.getByTestId("watch-price-ETH")).toBeVisible();
  });

  await test.step("the ledger downloads as CSV", async () => {
    await nav(page, "Account").click();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Ledger (CSV)" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^transactions-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await file.path(), "utf8");
    expect(csv.split("\r\n")[0]).toBe("id,created_at,type,amount,balance_after,order_id");
    expect(csv).toContain(",DEPOSIT,1234.56,1234.56,");
  });

  expect(pageErrors).toEqual([]);
  expect(budget.rateLimited).toBe(0);
});
