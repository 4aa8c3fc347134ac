import { describe, expect, it } from "vitest";
import { maxQuantity, orderTotal, previewOrder, type OrderContext, type OrderDraft } from "./orderPreview";
import Big from "big.js";

const context: OrderContext = {
  symbol: "BTC",
  marketPrice: "104481.0509",
  cashAvailable: "5000.00",
  positionAvailable: "0.05",
  maxOrderValue: "10000.00",
};

const draft = (change: Partial<OrderDraft>): OrderDraft => ({ side: "BUY", type: "MARKET", quantity: "", limitPrice: "", ...change });

describe("order total", () => {
  it("rounds a buy up and a sell down to the cent, like the server", () => {
    expect(orderTotal("BUY", new Big("0.01"), new Big("104481.0509")).toFixed(2)).toBe("1044.82");
    expect(orderTotal("SELL", new Big("0.01"), new Big("104481.0509")).toFixed(2)).toBe("1044.81");
    expect(orderTotal("BUY", new Big("3"), new Big("0.1")).toFixed(2)).toBe("0.30");
  });
});

describe("previewOrder", () => {
  it("previews a market buy: total, cash after, units after", () => {
    const preview = previewOrder(draft({ quantity: "0.01" }), context);
    expect(preview.ready).toBe(true);
    expect(preview.price?.toFixed()).toBe("104481.0509");
    expect(preview.total?.toFixed(2)).toBe("1044.82");
    expect(preview.cashAfter?.toFixed(2)).toBe("3955.18");
    expect(preview.positionAfter?.toFixed()).toBe("0.06");
    expect(preview.errors).toEqual({});
  });

  it("previews a sell at the limit price, proceeds rounded down", () => {
    const preview = previewOrder(draft({ side: "SELL", type: "LIMIT", quantity: "0.03", limitPrice: "110000.555" }), context);
    expect(preview.total?.toFixed(2)).toBe("3300.01");
    expect(preview.cashAfter?.toFixed(2)).toBe("8300.01");
    expect(preview.positionAfter?.toFixed()).toBe("0.02");
    expect(preview.ready).toBe(true);
  });

  it("is not ready until every field is filled, without shouting about empty ones", () => {
    const preview = previewOrder(draft({ type: "LIMIT", quantity: "0.01" }), context);
    expect(preview.ready).toBe(false);
    expect(preview.errors).toEqual({});
  });

  it("refuses malformed quantities and prices next to their field", () => {
    expect(previewOrder(draft({ quantity: "abc" }), context).errors.quantity).toMatch(/Enter a quantity/);
    expect(previewOrder(draft({ quantity: "0" }), context).errors.quantity).toMatch(/more than zero/);
    expect(previewOrder(draft({ quantity: "0.123456789" }), context).errors.quantity).toMatch(/eight decimal places/);
    const limit = previewOrder(draft({ type: "LIMIT", quantity: "1", limitPrice: "1.12345678901" }), context);
    expect(limit.errors.limitPrice).toMatch(/ten decimal places/);
    expect(limit.ready).toBe(false);
  });

  it("checks the per-order cap before sending", () => {
    const preview = previewOrder(draft({ quantity: "1" }), context);
    expect(preview.ready).toBe(false);
    expect(preview.errors.quantity).toBe("The order is worth $104,481.06; one order may be worth at most $10,000.00.");
  });

  it("checks the minimum order value", () => {
    const preview = previewOrder(draft({ quantity: "0.000001" }), context);
    expect(preview.errors.quantity).toMatch(/orders start at \$1\.00/);
  });

  it("checks the cash available for a buy", () => {
    const preview = previewOrder(draft({ quantity: "0.05" }), context);
    expect(preview.errors.quantity).toBe("Not enough cash: this needs $5,224.06 and $5,000.00 is available.");
    expect(preview.cashAfter?.toFixed(2)).toBe("-224.06");
  });

  it("checks the units available for a sell", () => {
    const preview = previewOrder(draft({ side: "SELL", quantity: "0.06" }), context);
    expect(preview.errors.quantity).toBe("You have 0.05 BTC available to sell.");
  });

  it("follows the live price", () => {
    const before = previewOrder(draft({ quantity: "0.01" }), context);
    const after = previewOrder(draft({ quantity: "0.01" }), { ...context, marketPrice: "100000" });
    expect(before.total?.toFixed(2)).toBe("1044.82");
    expect(after.total?.toFixed(2)).toBe("1000.00");
  });
});

describe("maxQuantity", () => {
  it("spends what is available without the cent rounding overshooting", () => {
    const units = maxQuantity("BUY", context)!;
    const total = orderTotal("BUY", units, new Big(context.marketPrice!));
    expect(total.lte("5000.00")).toBe(true);
    expect(total.gte("4999.98")).toBe(true);
    expect(previewOrder(draft({ quantity: units.toFixed() }), context).ready).toBe(true);
  });

  it("stays within the per-order cap", () => {
    const units = maxQuantity("BUY", { ...context, cashAvailable: "50000.00" })!;
    expect(orderTotal("BUY", units, new Big(context.marketPrice!)).lte(10000)).toBe(true);
  });

  it("sells at most what is held, and nothing when nothing is", () => {
    expect(maxQuantity("SELL", context)?.toFixed()).toBe("0.05");
    expect(maxQuantity("SELL", { ...context, positionAvailable: "0" })).toBeNull();
  });
});
