import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { mockClient, withClient } from "../test/urql";
import { AlertsPage, checkAlertPrice } from "./AlertsPage";

const asset = { __typename: "Asset", symbol: "BTC", name: "Bitcoin", imageUrl: null, price: "65000.00" };

function alert(id: string, status: "ACTIVE" | "TRIGGERED", condition = "ABOVE", price = "70000.00") {
  return {
    __typename: "PriceAlert",
    id,
    condition,
    price,
    status,
    createdAt: "2026-12-04T09:00:00+00:00",
    triggeredAt: status === "TRIGGERED" ? "2026-12-04T09:00:01+00:00" : null,
    triggeredPrice: status === "TRIGGERED" ? "65000.00" : null,
    asset,
  };
}

function setup(mutation: (variables: Record<string, unknown>) => unknown) {
  const mock = mockClient({
    query: () => ({ me: { __typename: "User", id: "1", active: [alert("7", "ACTIVE")], triggered: [alert("3", "TRIGGERED", "BELOW", "66000.00")] } }),
    mutation,
  });
  const Wrapper = withClient(mock.client);
  render(
    <MemoryRouter>
      <Wrapper>
        <AlertsPage />
      </Wrapper>
    </MemoryRouter>,
  );
  return mock;
}

describe("checkAlertPrice", () => {
  it("wants a positive number", () => {
    expect(checkAlertPrice("")).toMatch(/Give the price/);
    expect(checkAlertPrice("0")).toMatch(/greater than zero/);
    expect(checkAlertPrice("abc")).toMatch(/greater than zero/);
    expect(checkAlertPrice("0.000013")).toBeNull();
  });
});

describe("AlertsPage", () => {
  it("lists active and fired alerts", async () => {
    setup(() => undefined);
    expect(await screen.findByText("BTC at or above $70,000.00")).toBeInTheDocument();
    expect(screen.getByTestId("fired-alerts")).toHaveTextContent("BTC at or below $66,000.00");
  });

  it("sends the alert and tells at once when it already holds", async () => {
    const { executeMutation } = setup(() => ({
      createPriceAlert: { __typename: "PriceAlertPayload", alert: alert("9", "TRIGGERED", "BELOW", "66000.00"), errors: [] },
    }));
    await userEvent.type(screen.getByLabelText("Asset symbol"), "btc");
    await userEvent.selectOptions(screen.getByLabelText("When the price is"), "BELOW");
    await userEvent.type(screen.getByLabelText("Price (USD)"), "66000");
    await userEvent.click(screen.getByRole("button", { name: "Set alert" }));
    expect(executeMutation.mock.calls[0][0].variables).toEqual({ input: { assetSymbol: "btc", condition: "BELOW", price: "66000" } });
    expect(await screen.findByText("Price alert: BTC at or below $66,000.00")).toBeInTheDocument();
  });

  it("puts the server's error under the field it names, and the limit over the form", async () => {
    let answer = 0;
    setup(() => {
      answer += 1;
      return answer === 1
        ? { createPriceAlert: { __typename: "PriceAlertPayload", alert: null, errors: [{ __typename: "UserError", code: "ASSET_NOT_FOUND", field: "assetSymbol", message: 'No asset has the symbol "XYZ".' }] } }
        : { createPriceAlert: { __typename: "PriceAlertPayload", alert: null, errors: [{ __typename: "UserError", code: "ALERT_LIMIT_REACHED", field: null, message: "You already have 50 active alerts; delete one first." }] } };
    });
    await userEvent.type(screen.getByLabelText("Asset symbol"), "XYZ");
    await userEvent.type(screen.getByLabelText("Price (USD)"), "5");
    await userEvent.click(screen.getByRole("button", { name: "Set alert" }));
    expect(await screen.findByText('No asset has the symbol "XYZ".')).toHaveAttribute("data-field", "assetSymbol");
    await userEvent.click(screen.getByRole("button", { name: "Set alert" }));
    expect(await screen.findByText("You already have 50 active alerts; delete one first.")).toBeInTheDocument();
  });

  it("refuses a price that is not positive before sending", async () => {
    const { executeMutation } = setup(() => undefined);
    await userEvent.type(screen.getByLabelText("Asset symbol"), "BTC");
    await userEvent.type(screen.getByLabelText("Price (USD)"), "0");
    await userEvent.click(screen.getByRole("button", { name: "Set alert" }));
    expect(await screen.findByText("The price must be a number greater than zero.")).toBeInTheDocument();
    expect(executeMutation).not.toHaveBeenCalled();
  });

  it("deletes an alert by id", async () => {
    const { executeMutation } = setup(() => ({ deletePriceAlert: { __typename: "PriceAlertPayload", alert: { __typename: "PriceAlert", id: "7" }, errors: [] } }));
    await userEvent.click(await screen.findByRole("button", { name: "Delete alert BTC at or above $70,000.00" }));
    expect(executeMutation.mock.calls[0][0].variables).toEqual({ id: "7" });
  });
});
