import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { mockClient, withClient } from "../test/urql";
import { WatchlistPanel } from "./WatchlistPanel";

describe("WatchlistPanel", () => {
  it("lists the followed assets in order, each with a star that unfollows it", async () => {
    const assets = ["ETH", "BTC"].map((symbol, index) => ({
      __typename: "Asset",
      symbol,
      name: symbol === "BTC" ? "Bitcoin" : "Ethereum",
      imageUrl: null,
      category: null,
      isTradable: true,
      price: index ? "65000.00" : "3000.00",
      priceUpdatedAt: "2026-12-04T09:00:00+00:00",
      priceChange24h: "1.50",
      priceChange7d: null,
      marketCap: null,
      marketCapRank: null,
      volume24h: null,
    }));
    const mock = mockClient({
      query: () => ({ me: { __typename: "User", id: "1", watchlist: assets } }),
      mutation: () => ({ removeFromWatchlist: { __typename: "WatchlistPayload", watchlist: [assets[1]], errors: [] } }),
    });
    const Wrapper = withClient(mock.client);
    render(
      <MemoryRouter>
        <Wrapper>
          <WatchlistPanel />
        </Wrapper>
      </MemoryRouter>,
    );
    const rows = await screen.findAllByRole("listitem");
    expect(rows.map((row) => row.getAttribute("data-symbol"))).toEqual(["ETH", "BTC"]);
    await userEvent.click(screen.getByRole("button", { name: "Remove ETH from the watchlist" }));
    expect(mock.executeMutation.mock.calls[0][0].variables).toEqual({ symbol: "ETH" });
  });
});
