import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { mockClient, withClient } from "../test/urql";
import { outcomeMessage, RedPocketModal } from "./RedPocketModal";

describe("outcomeMessage", () => {
  it("tells a win, a consolation and nothing apart", () => {
    expect(outcomeMessage({ amount: "88.88", lucky: true }).title).toBe("You found a red pocket: $88.88!");
    expect(outcomeMessage({ amount: "8.88", lucky: false }).title).toBe("Not this time, but here is $8.88");
    expect(outcomeMessage({ amount: "0.00", lucky: false }).title).toBe("Not this time");
  });
});

describe("RedPocketModal", () => {
  it("sends the guess and shows what it paid", async () => {
    const mock = mockClient({
      mutation: () => ({
        claimRedPocket: { __typename: "RedPocketPayload", amount: "8.88", gotRedPocket: false, balance: null, errors: [] },
      }),
    });
    render(<RedPocketModal open onClose={vi.fn()} />, { wrapper: withClient(mock.client) });
    await userEvent.type(screen.getByLabelText("Your guess"), "  wrong words ");
    await userEvent.click(screen.getByRole("button", { name: "Open the red pocket" }));
    expect(mock.executeMutation.mock.calls[0][0].variables).toEqual({ phrase: "wrong words" });
    expect(await screen.findByTestId("red-pocket-result")).toHaveTextContent("Not this time, but here is $8.88");
  });

  it("shows a refusal from the server", async () => {
    const mock = mockClient({
      mutation: () => ({
        claimRedPocket: {
          __typename: "RedPocketPayload",
          amount: null,
          gotRedPocket: null,
          balance: null,
          errors: [{ __typename: "UserError", code: "ALREADY_CLAIMED_TODAY", field: "phrase", message: "You opened today's red pocket already." }],
        },
      }),
    });
    render(<RedPocketModal open onClose={vi.fn()} />, { wrapper: withClient(mock.client) });
    await userEvent.type(screen.getByLabelText("Your guess"), "again");
    await userEvent.click(screen.getByRole("button", { name: "Open the red pocket" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You opened today's red pocket already.");
  });
});
