/**
 * One trader's day, in a real browser against the real server on a fresh database:
 * register → deposit → a live price moves → market buy with confirmation → the
 * portfolio shows it → a limit order placed and cancelled → withdraw → red pocket
 * → sign out. Waits on what the page shows, never on fixed sleeps. Each page is
 * saved as a screenshot in e2e/.results/screenshots/, or, with SCREENSHOTS_DIR set
 * (`make screenshots`), wherever that says: docs/screenshots/ for the README.
 */
import type { Page } from "@playwright/test";
import path from "node:path";
import { confirmBuy, deposit, expect, fillRegistration, nav, newUsername, openOrders, screenshotsDir, test } from "./support";

const SHOTS = screenshotsDir();

async function shot(page: Page, name: string, options: { toasts?: boolean } = {}): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({
    path: path.join(SHOTS, `${name}.png`),
    animations: "disabled",
    // Notices that happen to be up would hide the page; the trade page keeps its own.
    style: options.toasts ? undefined : ".toasts { display: none !important; }",
  });
}

test("a trader's journey through the app", async ({ page, request, pageErrors, budget }) => {
  const username = newUsername("e2e");

  await test.step("landing page shows live top assets", async () => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Trade crypto without risking a cent." })).toBeVisible();
    await expect(page.getByTestId("top-assets").locator(".ticker-card")).toHaveCount(8);
    await expect(page.getByTestId("socket-status")).toHaveText(/Live/);
    await shot(page, "01-landing");
  });

  await test.step("register, with a field error shown next to its field first", async () => {
    await page.getByRole("link", { name: "Create a free account" }).click();
    await fillRegistration(page, username);
    await page.getByLabel("Username", { exact: true }).fill("abc");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator('[data-field="username"]')).toContainText("6 to 30");
    await page.getByLabel("Username", { exact: true }).fill(username);
    await page.getByLabel("First name (optional)").fill("Grace");
    await shot(page, "02-register");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole("heading", { name: "Hello, Grace" })).toBeVisible();
  });

  await test.step("deposit play money", async () => {
    await deposit(page, "5000");
    await expect(page.getByTestId("account-cash")).toHaveText("$5,000.00");
    await expect(page.getByTestId("ledger").locator('tr[data-type="DEPOSIT"]')).toHaveCount(1);
    await expect(page.getByTestId("cash-chip")).toHaveText("$5,000.00");
  });

  await test.step("see a live price change in the market", async () => {
    await nav(page, "Markets").click();
    const btc = page.getByTestId("price-BTC");
    await expect(btc).toBeVisible();
    const first = await btc.getAttribute("data-value");
    await expect.poll(() => btc.getAttribute("data-value"), { timeout: 20_000 }).not.toBe(first);
    await page.getByPlaceholder("Search by name or symbol").fill("bit");
    await expect(page.getByTestId("market-table").locator("tbody tr").first()).toContainText("Bitcoin");
    await page.getByPlaceholder("Search by name or symbol").fill("");
    await expect(page.getByTestId("market-table").locator("tbody tr")).toHaveCount(20);
    await shot(page, "03-market");

    await page.getByTestId("market-table").getByRole("link", { name: "Bitcoin BTC" }).click();
    await expect(page.getByRole("heading", { name: "Bitcoin BTC" })).toBeVisible();
    await expect(page.getByRole("img", { name: /BTC price/ })).toBeVisible();
    await expect(page.getByText("All-time high")).toBeVisible();
    await shot(page, "04-asset");
  });

  await test.step("market buy with a confirmation step", async () => {
    await page.getByRole("link", { name: "Trade BTC" }).click();
    await expect(page).toHaveURL(/\/trade\/BTC$/);
    const ticket = page.getByTestId("order-ticket");

    // The per-order cap is checked before anything is sent.
    await ticket.getByLabel("Quantity (BTC)").fill("1");
    await expect(ticket.locator('[data-field="quantity"]')).toContainText("at most $10,000.00");
    await expect(ticket.getByRole("button", { name: "Review buy order" })).toBeDisabled();

    await ticket.getByLabel("Quantity (BTC)").fill("0.01");
    await expect(page.getByTestId("preview-total")).toHaveText(/^\$1,\d{3}\.\d{2}$/);
    await expect(page.getByTestId("preview-cash-after")).toHaveText(/^\$3,\d{3}\.\d{2}$/);
    await ticket.getByRole("button", { name: "Review buy order" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm buy order" });
    await expect(dialog).toBeVisible();
    await shot(page, "05-trade-confirm");
    await dialog.getByRole("button", { name: "Confirm buy" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "Bought 0.01 BTC" })).toBeVisible();
    await expect(page.getByTestId("order-history").locator('tr[data-status="FILLED"]')).toHaveCount(1);
  });

  await test.step("the portfolio shows the position and its history", async () => {
    await nav(page, "Portfolio").click();
    const row = page.getByTestId("positions").locator('tr[data-symbol="BTC"]');
    await expect(row).toContainText("0.01");
    await row.click();
    await expect(page.getByRole("heading", { name: "BTC transactions" })).toBeVisible();
    await expect(page.getByTestId("asset-history").locator("tbody tr")).toHaveCount(1);
    await expect(page.getByTestId("asset-history")).toContainText("Buy");
    await shot(page, "06-portfolio");
  });

  await test.step("place a limit order and cancel it", async () => {
    await nav(page, "Trade").click();
    const ticket = page.getByTestId("order-ticket");
    await ticket.getByRole("button", { name: "Limit", exact: true }).click(); // not "Stop-limit"
    const price = Number(await page.getByTestId("ticket-price").getAttribute("data-value"));
    const limit = (Math.floor(price * 0.5 * 100) / 100).toFixed(2); // far below the market: it rests
    await ticket.getByLabel("Quantity (BTC)").fill("0.01");
    await ticket.getByLabel(/Limit price/).fill(limit);
    await confirmBuy(page, "Limit buy placed");
    const open = openOrders(page);
    await expect(open).toHaveCount(1);
    await shot(page, "07-trade", { toasts: true });
    await open.getByRole("button", { name: /Cancel order/ }).click();
    await expect(page.getByText("No open orders.")).toBeVisible();
    await expect(page.getByTestId("order-history").locator('tr[data-status="CANCELLED"]')).toHaveCount(1);
  });

  await test.step("withdraw some cash", async () => {
    await nav(page, "Account").click();
    const available = page.getByTestId("account-available");
    await expect(available).toHaveText(/^\$3,\d{3}\.\d{2}$/);
    await page.getByLabel("Amount to withdraw (USD)").fill("250");
    await page.getByTestId("withdraw-form").getByRole("button", { name: "Withdraw" }).click();
    await expect(page.getByTestId("ledger").locator('tr[data-type="WITHDRAWAL"]')).toHaveCount(1);
    await expect(page.getByTestId("ledger").locator('tr[data-type="ORDER_BUY"]')).toHaveCount(1);
    await shot(page, "08-account");
  });

  await test.step("dashboard insights and a red-pocket guess", async () => {
    await nav(page, "Dashboard").click();
    await expect(page.getByTestId("card-total")).toContainText("$");
    await expect(page.getByTestId("insights").locator(".insights-summary")).not.toBeEmpty();
    await page.getByTestId("open-red-pocket").click();
    const dialog = page.getByRole("dialog", { name: "Red pocket" });
    await dialog.getByLabel("Your guess").fill("surely not the secret phrase");
    await dialog.getByRole("button", { name: "Open the red pocket" }).click();
    await expect(dialog.getByTestId("red-pocket-result")).toContainText(/Not this time|You found a red pocket/);
    await shot(page, "09-red-pocket");
    await dialog.getByRole("button", { name: "Close" }).last().click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("insights").locator(".insights-summary")).not.toBeEmpty();
    await shot(page, "10-dashboard");
  });

  await test.step("profile update reads as a success", async () => {
    await page.getByTestId("user-chip").click();
    const form = page.getByTestId("profile-form");
    await form.getByLabel("Last name").fill("Hopper");
    await form.getByRole("button", { name: "Save profile" }).click();
    await expect(form.getByText("Your profile is saved.")).toBeVisible();
    await expect(form.getByRole("alert")).toHaveCount(0);
    await shot(page, "11-profile");
  });

  await test.step("sign out revokes the token", async () => {
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem("cnop.session") ?? "{}").token as string);
    expect(token).toBeTruthy();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByText("You have signed out.")).toBeVisible();
    // The banner shows at once; the token is dropped once `logout` has answered.
    await expect.poll(() => page.evaluate(() => sessionStorage.getItem("cnop.session"))).toBeNull();
    const me = await request.post("/graphql", { data: { query: "{ me { id } }" }, headers: { Authorization: `Bearer ${token}` } });
    expect((await me.json()).data?.me ?? null).toBeNull();
    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/login$/);
    await shot(page, "12-sign-in");
  });

  test.info().annotations.push({ type: "rate budget", description: `lowest X-RateLimit-Remaining: ${budget.lowestRemaining}` });
  expect(budget.rateLimited).toBe(0);
  expect(pageErrors).toEqual([]);
});
