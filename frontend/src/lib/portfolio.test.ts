import { describe, expect, it } from "vitest";
import { valuePortfolio } from "./portfolio";

describe("valuePortfolio", () => {
  it("values positions at live prices with the API's definitions", () => {
    const valuation = valuePortfolio("3964.06", [
      { quantity: "0.01", averageCost: "104481.0509", asset: { symbol: "BTC", price: "105000" } },
      { quantity: "2", averageCost: "2600", asset: { symbol: "ETH", price: "2531.79" } },
    ]);
    expect(valuation.positionsValue.toFixed(2)).toBe("6113.58");
    expect(valuation.totalValue.toFixed(2)).toBe("10077.64");
    const [eth, btc] = valuation.positions;
    expect(eth.position.asset.symbol).toBe("ETH");
    expect(eth.marketValue.toFixed(2)).toBe("5063.58");
    expect(eth.unrealizedPnl?.toFixed(2)).toBe("-136.42");
    expect(btc.unrealizedPnl?.toFixed(2)).toBe("5.19");
    expect(eth.allocation.toFixed(2)).toBe("50.25");
  });

  it("copes with no cost and an empty portfolio", () => {
    const valuation = valuePortfolio("0.00", [{ quantity: "1", averageCost: null, asset: { symbol: "X", price: "0" } }]);
    expect(valuation.positions[0].unrealizedPnl).toBeNull();
    expect(valuation.positions[0].allocation.toFixed(2)).toBe("0.00");
  });
});
