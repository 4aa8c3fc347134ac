import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockClient, withClient } from "../test/urql";
import { CashForm, checkAmount } from "./CashForm";

describe("checkAmount", () => {
  it("accepts cents within today's limit", () => {
    expect(checkAmount("250.50", "10000.00", "0.00", "deposit")).toBeNull();
    expect(checkAmount("", "10000.00", "0.00", "deposit")).toBeNull();
  });

  it("explains what is wrong", () => {
    expect(checkAmount("1.005", "100", null, "deposit")).toMatch(/two decimal places/);
    expect(checkAmount("0", "100", null, "deposit")).toMatch(/more than zero/);
    expect(checkAmount("20000", "10000.00", null, "deposit")).toBe("That is over today's deposit limit: $10,000.00 remain until midnight UTC.");
    expect(checkAmount("300", "5000.00", "250.00", "withdraw")).toBe("Only $250.00 is available to withdraw.");
  });
});

describe("CashForm", () => {
  it("sends the amount with an idempotency key and reuses the key on a retry", async () => {
    let calls = 0;
    const { executeMutation } = render_(() => {
      calls += 1;
      return calls === 1
        ? undefined // lost answer: no data
        : { deposit: { __typename: "BalancePayload", balance: { __typename: "Balance", cash: "250.00", available: "250.00", updatedAt: "2026-11-28T09:00:00+00:00" }, transaction: null, errors: [] } };
    });
    await userEvent.type(screen.getByLabelText("Amount to deposit (USD)"), "250");
    await userEvent.click(screen.getByRole("button", { name: "Deposit" }));
    expect(await screen.findByText(/was not sent/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Deposit" }));
    expect(await screen.findByText("Deposited $250.00")).toBeInTheDocument();
    const keys = executeMutation.mock.calls.map((call) => (call[0].variables.input as { idempotencyKey: string }).idempotencyKey);
    expect(keys[0]).toBe(keys[1]);
    expect(screen.getByLabelText("Amount to deposit (USD)")).toHaveValue("");
  });

  it("puts the server's limit error under the amount", async () => {
    render_(() => ({
      deposit: { __typename: "BalancePayload", balance: null, transaction: null, errors: [{ __typename: "UserError", code: "DAILY_LIMIT_EXCEEDED", field: "amount", message: "That would exceed today's deposit limit." }] },
    }));
    await userEvent.type(screen.getByLabelText("Amount to deposit (USD)"), "100");
    await userEvent.click(screen.getByRole("button", { name: "Deposit" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That would exceed today's deposit limit.");
  });
});

function render_(mutation: () => unknown) {
  const mock = mockClient({ mutation });
  render(<CashForm kind="deposit" remaining="10000.00" available="0.00" />, { wrapper: withClient(mock.client) });
  return mock;
}
