/**
 * What the browser tests share: a closed network, the page's errors and rate
 * budget, where screenshots go, and the steps every account starts with.
 */
import { test as base, expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PASSWORD = "Correct-Horse-9-Battery";

const here = path.dirname(fileURLToPath(import.meta.url));

/** e2e/.results/screenshots/, or wherever SCREENSHOTS_DIR says (`make screenshots`:
 * docs/screenshots/ for the README). The committed README pictures change only when
 * asked for, not on every test run. */
export function screenshotsDir(): string {
  const dir = process.env.SCREENSHOTS_DIR
    ? path.resolve(process.env.SCREENSHOTS_DIR)
    : path.resolve(here, ".results/screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

type RateBudget = { rateLimited: number; lowestRemaining: number };

/** Playwright's test, against the server e2e/global-setup.ts started, with no request
 * leaving this machine (logos come from a CDN and fall back to initials), and with
 * what each test asserts on at its end. */
export const test = base.extend<{ refused: string[]; pageErrors: string[]; budget: RateBudget }>({
  // Set by the global setup, after the configuration was read.
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  // The addresses refused, as they happen.
  refused: [
    async ({ context }, use) => {
      const refused: string[] = [];
      await context.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return route.continue();
        refused.push(url.href);
        return route.abort();
      });
      await use(refused);
    },
    { auto: true },
  ],
  // The page's uncaught errors, as they happen.
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await use(errors);
  },
  // The server grants each user a per-minute budget of operation points: a test at
  // robot speed must stay within it, or the app is too chatty. The refusals and the
  // lowest X-RateLimit-Remaining the API answered, as they happen.
  budget: async ({ page }, use) => {
    const budget: RateBudget = { rateLimited: 0, lowestRemaining: Number.POSITIVE_INFINITY };
    page.on("response", (response) => {
      if (response.status() === 429) budget.rateLimited += 1;
      if (!response.url().endsWith("/graphql")) return;
      const remaining = Number(response.headers()["x-ratelimit-remaining"]);
      if (!Number.isNaN(remaining)) budget.lowestRemaining = Math.min(budget.lowestRemaining, remaining);
    });
    await use(budget);
  },
});

export { expect };

/** A username no earlier run has taken. */
export function newUsername(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}`;
}

export function nav(page: Page, name: string) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });
}

/** Fills the registration form's required fields (the form must be open). */
export async function fillRegistration(page: Page, username: string): Promise<void> {
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Email", { exact: true }).fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
}

/** Registers through the form and waits for the dashboard. */
export async function register(page: Page, username: string): Promise<void> {
  await page.goto("/register");
  await fillRegistration(page, username);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/** A new account, registered through the form, with `amount` deposited from the
 * account page, which stays open. */
export async function registerWithCash(page: Page, prefix: string, amount: string): Promise<void> {
  await register(page, newUsername(prefix));
  await deposit(page, amount);
}

/** Deposits from the account page, which stays open. */
export async function deposit(page: Page, amount: string): Promise<void> {
  await nav(page, "Account").click();
  await page.getByLabel("Amount to deposit (USD)").fill(amount);
  await page.getByTestId("deposit-form").getByRole("button", { name: "Deposit" }).click();
}

/** Reviews the filled order ticket's buy, confirms it and waits for the notice
 * that says it was placed. */
export async function confirmBuy(page: Page, placed: string): Promise<void> {
  await page.getByTestId("order-ticket").getByRole("button", { name: "Review buy order" }).click();
  await page.getByRole("dialog", { name: "Confirm buy order" }).getByRole("button", { name: "Confirm buy" }).click();
  await expect(page.getByRole("status").filter({ hasText: placed })).toBeVisible();
}

export function openOrders(page: Page) {
  return page.getByTestId("open-orders").locator('tr[data-status="OPEN"]');
}
