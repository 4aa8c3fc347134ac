import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockClient, withClient } from "../test/urql";
import { PortfolioChart } from "./PortfolioChart";

function point(at: string, total: string) {
  return { __typename: "PortfolioPoint", at, cash: total, positionsValue: "0.00", totalValue: total };
}

describe("PortfolioChart", () => {
  it("draws the value over the chosen range and asks again when the range changes", async () => {
    const mock = mockClient({
      query: (operation) => {
        const range = (operation.variables as { range: string }).range;
        const end = range === "ONE_DAY" ? "1100.00" : "1250.50";
        return { me: { __typename: "User", id: "1", portfolioHistory: [point("2026-12-01T00:00:00+00:00", "1000.00"), point("2026-12-04T00:00:00+00:00", end)] } };
      },
    });
    render(<PortfolioChart />, { wrapper: withClient(mock.client) });
    expect(await screen.findByRole("img", { name: "Account value: from $1,000.00 to $1,250.50" })).toBeInTheDocument();
    expect(screen.getByText("+$250.50")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "1D" }));
    expect(await screen.findByRole("img", { name: "Account value: from $1,000.00 to $1,100.00" })).toBeInTheDocument();
    const ranges = mock.executeQuery.mock.calls.map((call) => (call[0].variables as { range: string }).range);
    expect(ranges).toEqual(expect.arrayContaining(["ONE_WEEK", "ONE_DAY"]));
    expect(screen.getByRole("button", { name: "1D" })).toHaveAttribute("aria-pressed", "true");
  });
});
