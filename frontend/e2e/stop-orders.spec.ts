/**
 * Stop orders in a real browser against the real server, on their own account so
 * that the main journey stays as it is: a BUY STOP above the market and a
 * STOP_LIMIT good till a date rest in open orders with their stop and time in
 * force, and "Cancel all" releases what they held.
 */
import { confirmBuy, expect, openOrders, registerWithCash, test } from "./support";

/** A price `factor` times the market's, to the cent. */
function priceAt(market: number, factor: number): string {
  return (Math.round(market * factor * 100) / 100).toFixed(2);
}

/** A datetime-local value `days` ahead, in the browser's time zone. */
function localInDays(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

test("stop orders rest until cancelled all at once", async ({ page, pageErrors }) => {
  await test.step("register and deposit", async () => {
    await registerWithCash(page, "stops", "5000");
    await expect(page.getByTestId("cash-chip")).toHaveText("$5,000.00");
  });

  await test.step("place a buy stop above the market; it rests holding cash", async () => {
    await page.goto("/trade/BTC");
    const ticket = page.getByTestId("order-ticket");
    await ticket.getByRole("button", { name: "Stop", exact: true }).click();
    const market = Number(await page.getByTestId("ticket-price").getAttribute("data-value"));
    const stop = priceAt(market, 1.5); // far above the market: it waits for its trigger
    await ticket.getByLabel("Quantity (BTC)").fill("0.01");
    await ticket.getByLabel(/Stop price/).fill(stop);
    await expect(page.getByTestId("preview-hold")).toHaveText(/^\$\d,\d{3}\.\d{2}$/);
    await confirmBuy(page, "Stop buy placed");
    const open = openOrders(page);
    await expect(open).toHaveCount(1);
    await expect(open.getByTestId("order-stop")).toContainText("stop ≥");
    await expect(open.getByTestId("order-time-in-force")).toHaveText("GTC");
    await expect(page.getByTestId("cash-chip")).not.toHaveText("$5,000.00");
  });

  await test.step("place a stop-limit good till a date", async () => {
    const ticket = page.getByTestId("order-ticket");
    await ticket.getByRole("button", { name: "Stop-limit" }).click();
    const market = Number(await page.getByTestId("ticket-price").getAttribute("data-value"));
    await ticket.getByLabel("Quantity (BTC)").fill("0.005");
    await ticket.getByLabel(/Stop price/).fill(priceAt(market, 1.5));
    await ticket.getByLabel(/Limit price/).fill(priceAt(market, 1.6));
    await ticket.getByLabel("Time in force").selectOption("GTD");
    await ticket.getByLabel("Expires at (your time)").fill(localInDays(7));
    await confirmBuy(page, "Stop-limit buy placed");
    const open = openOrders(page);
    await expect(open).toHaveCount(2);
    await expect(open.getByTestId("order-time-in-force").filter({ hasText: "GTD" })).toContainText("until");
  });

  await test.step("cancel all: nothing rests and nothing is held", async () => {
    await page.getByTestId("cancel-all-orders").click();
    await expect(page.getByRole("status").filter({ hasText: "2 orders cancelled" })).toBeVisible();
    await expect(page.getByText("No open orders.")).toBeVisible();
    await expect(page.getByTestId("order-history").locator('tr[data-status="CANCELLED"]')).toHaveCount(2);
    await expect(page.getByTestId("cash-chip")).toHaveText("$5,000.00");
  });

  expect(pageErrors).toEqual([]);
});
