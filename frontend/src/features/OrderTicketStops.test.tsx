import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { anOrder, renderTicket as renderAnyTicket } from "../test/orderTicket";

const asset = { symbol: "BTC", name: "Bitcoin", price: "100000", isTradable: true };

/** A buy stop at 110,000 resting good till cancelled, unless `fields` say otherwise. */
function order(fields: Record<string, unknown> = {}) {
  const resting = { id: "9", type: "STOP", status: "OPEN", stopPrice: "110000.00", timeInForce: "GTC", executedPrice: null, total: null, filledAt: null };
  return anOrder({ ...resting, createdAt: "2026-12-04T09:00:00+00:00", asset: { __typename: "Asset", symbol: "BTC", name: "Bitcoin", imageUrl: null, price: asset.price }, ...fields });
}

/** The ticket at a market of 100,000 with half a BTC held. */
function renderTicket(mutation?: (variables: Record<string, unknown>) => unknown) {
  return renderAnyTicket(mutation, { asset, positionAvailable: "0.5" });
}

describe("OrderTicket stops and time in force", () => {
  it("previews what a buy stop holds, at its stop price", async () => {
    renderTicket();
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.type(screen.getByLabelText("Stop price (USD per BTC)"), "110000.555");
    expect(screen.getByTestId("preview-hold")).toHaveTextContent("$1,100.01");
    expect(screen.getByText(/Executes at the market price once the price rises to this or higher/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/Limit price/)).not.toBeInTheDocument();
  });

  it("previews a sell stop-limit holding units and warns when it triggers at once", async () => {
    renderTicket();
    await userEvent.click(screen.getByRole("button", { name: "Sell" }));
    await userEvent.click(screen.getByRole("button", { name: "Stop-limit" }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.02");
    await userEvent.type(screen.getByLabelText("Stop price (USD per BTC)"), "100500");
    await userEvent.type(screen.getByLabelText("Limit price (USD per BTC)"), "99000");
    expect(screen.getByTestId("preview-hold")).toHaveTextContent("0.02 BTC");
    expect(screen.getByText(/triggers as soon as it is placed/)).toBeInTheDocument();
  });

  it("refuses a stop price the server would refuse before sending", async () => {
    const { executeMutation } = renderTicket();
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.type(screen.getByLabelText("Stop price (USD per BTC)"), "0");
    expect(screen.getByRole("alert")).toHaveTextContent("The stop price must be more than zero.");
    expect(screen.getByRole("button", { name: "Review buy order" })).toBeDisabled();
    expect(executeMutation).not.toHaveBeenCalled();
  });

  it("asks for a GTD date and sends it as a UTC instant with the stop price", async () => {
    const { executeMutation } = renderTicket(() => ({ placeOrder: { __typename: "OrderPayload", order: order({ timeInForce: "GTD" }), errors: [] } }));
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.type(screen.getByLabelText("Stop price (USD per BTC)"), "110000");
    expect(screen.queryByLabelText("Expires at (your time)")).not.toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Time in force"), "GTD");
    expect(screen.getByRole("button", { name: "Review buy order" })).toBeDisabled();
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await userEvent.type(screen.getByLabelText("Expires at (your time)"), local);
    await userEvent.click(screen.getByRole("button", { name: "Review buy order" }));
    const dialog = screen.getByRole("dialog", { name: "Confirm buy order" });
    expect(within(dialog).getByTestId("confirm-hold")).toHaveTextContent("$1,100.00");
    await userEvent.click(within(dialog).getByRole("button", { name: "Confirm buy" }));
    const input = executeMutation.mock.calls[0][0].variables.input as Record<string, unknown>;
    expect(input).toMatchObject({ type: "STOP", stopPrice: "110000", limitPrice: null, timeInForce: "GTD", expiresAt: new Date(local).toISOString() });
    expect(await screen.findByText("Stop buy placed")).toBeInTheDocument();
  });

  it("shows the server's expiry error under the expiry field", async () => {
    renderTicket(() => ({
      placeOrder: {
        __typename: "OrderPayload",
        order: null,
        errors: [{ __typename: "UserError", code: "VALIDATION_FAILED", field: "expiresAt", message: "expiresAt must lie in the future." }],
      },
    }));
    await userEvent.click(screen.getByRole("button", { name: "Limit" }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.type(screen.getByLabelText("Limit price (USD per BTC)"), "90000");
    await userEvent.selectOptions(screen.getByLabelText("Time in force"), "GTD");
    const soon = new Date(Date.now() + 3_600_000);
    await userEvent.type(screen.getByLabelText("Expires at (your time)"), new Date(soon.getTime() - soon.getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
    await userEvent.click(screen.getByRole("button", { name: "Review buy order" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Confirm buy" }));
    expect(await screen.findByText("expiresAt must lie in the future.")).toHaveAttribute("data-field", "expiresAt");
  });

  it("sends market orders without a time in force", async () => {
    const { executeMutation } = renderTicket(() => ({
      placeOrder: { __typename: "OrderPayload", order: order({ type: "MARKET", status: "FILLED", stopPrice: null, timeInForce: "IOC", executedPrice: "100000", total: "1000.00" }), errors: [] },
    }));
    expect(screen.queryByLabelText("Time in force")).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.click(screen.getByRole("button", { name: "Review buy order" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Confirm buy" }));
    const input = executeMutation.mock.calls[0][0].variables.input as Record<string, unknown>;
    expect(input).toMatchObject({ type: "MARKET", stopPrice: null, timeInForce: null, expiresAt: null });
  });
});
