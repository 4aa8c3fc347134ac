import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { anOrder as order, renderTicket } from "../test/orderTicket";

describe("OrderTicket", () => {
  it("previews the total and the balance after as you type", async () => {
    renderTicket();
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    expect(screen.getByTestId("preview-total")).toHaveTextContent("$1,044.82");
    expect(screen.getByTestId("preview-cash-after")).toHaveTextContent("$3,955.18");
    expect(screen.getByRole("button", { name: "Review buy order" })).toBeEnabled();
  });

  it("checks the max order value and the funds before anything is sent", async () => {
    const { executeMutation } = renderTicket();
    const quantity = screen.getByLabelText("Quantity (BTC)");
    await userEvent.type(quantity, "1");
    expect(screen.getByRole("alert")).toHaveTextContent("one order may be worth at most $10,000.00");
    expect(screen.getByRole("button", { name: "Review buy order" })).toBeDisabled();
    await userEvent.clear(quantity);
    await userEvent.type(quantity, "0.05");
    expect(screen.getByRole("alert")).toHaveTextContent("Not enough cash");
    expect(executeMutation).not.toHaveBeenCalled();
  });

  it("asks for confirmation, then places the order with a clientOrderId", async () => {
    const { executeMutation } = renderTicket(() => ({ placeOrder: { __typename: "OrderPayload", order: order(), errors: [] } }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.click(screen.getByRole("button", { name: "Review buy order" }));
    const dialog = screen.getByRole("dialog", { name: "Confirm buy order" });
    expect(within(dialog).getByTestId("confirm-total")).toHaveTextContent("$1,044.82");
    expect(executeMutation).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole("button", { name: "Confirm buy" }));
    expect(executeMutation).toHaveBeenCalledTimes(1);
    const input = executeMutation.mock.calls[0][0].variables.input as Record<string, unknown>;
    expect(input).toMatchObject({ assetSymbol: "BTC", side: "BUY", type: "MARKET", quantity: "0.01", limitPrice: null });
    expect(input.clientOrderId).toMatch(/^[0-9a-f]{32}$/);
    expect(await screen.findByText("Bought 0.01 BTC")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Quantity (BTC)")).toHaveValue("");
  });

  it("shows the server's errors next to the field they name", async () => {
    renderTicket(() => ({
      placeOrder: {
        __typename: "OrderPayload",
        order: null,
        errors: [
          { __typename: "UserError", code: "VALIDATION_FAILED", field: "limitPrice", message: "Limit price too far from the market." },
          { __typename: "UserError", code: "PRICE_UNAVAILABLE", field: null, message: "No price right now." },
        ],
      },
    }));
    await userEvent.click(screen.getByRole("button", { name: "Limit" }));
    await userEvent.type(screen.getByLabelText("Quantity (BTC)"), "0.01");
    await userEvent.type(screen.getByLabelText(/Limit price/), "50000");
    await userEvent.click(screen.getByRole("button", { name: "Review buy order" }));
    await userEvent.click(screen.getByRole("button", { name: "Confirm buy" }));
    const field = (await screen.findByText("Limit price too far from the market.")).closest(".field")!;
    expect(within(field as HTMLElement).getByLabelText(/Limit price/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("No price right now.")).toBeInTheDocument();
  });

  it("sells what is held and fills Max within the cap", async () => {
    renderTicket(undefined, { positionAvailable: "0.02" });
    await userEvent.click(screen.getByRole("button", { name: "Sell" }));
    await userEvent.click(screen.getByRole("button", { name: "Max" }));
    expect(screen.getByLabelText("Quantity (BTC)")).toHaveValue("0.02");
    expect(screen.getByTestId("preview-total")).toHaveTextContent("$2,089.62");
    expect(screen.getByRole("button", { name: "Review sell order" })).toBeEnabled();
  });
});
