/**
 * Valuing positions at the live prices in the cache, between two server
 * valuations. Same definitions as the API: market value is quantity x price to
 * the cent, unrealised P&L is market value - quantity x average cost, allocation
 * is the share of cash + positions in percent.
 */
import Big from "big.js";
import { toBig } from "./decimal";

export interface PositionInput {
  quantity: string;
  averageCost: string | null;
  asset: { symbol: string; price: string };
}

export interface ValuedPosition<P extends PositionInput> {
  position: P;
  marketValue: Big;
  unrealizedPnl: Big | null;
  /** Percent of unrealised P&L against cost, or null without a cost. */
  pnlPercent: Big | null;
  allocation: Big;
}

export interface Valuation<P extends PositionInput> {
  cash: Big;
  positionsValue: Big;
  totalValue: Big;
  positions: Array<ValuedPosition<P>>;
}

export function valuePortfolio<P extends PositionInput>(cash: string, positions: readonly P[]): Valuation<P> {
  const cashBig = toBig(cash) ?? new Big(0);
  const valued = positions.map((position) => {
    const quantity = toBig(position.quantity) ?? new Big(0);
    const price = toBig(position.asset.price) ?? new Big(0);
    const marketValue = quantity.times(price).round(2, Big.roundHalfUp);
    const cost = toBig(position.averageCost);
    const costValue = cost ? quantity.times(cost) : null;
    const unrealizedPnl = costValue ? marketValue.minus(costValue).round(2, Big.roundHalfUp) : null;
    const pnlPercent = costValue && costValue.gt(0) && unrealizedPnl ? unrealizedPnl.div(costValue).times(100) : null;
    return { position, marketValue, unrealizedPnl, pnlPercent, allocation: new Big(0) };
  });
  const positionsValue = valued.reduce((sum, item) => sum.plus(item.marketValue), new Big(0));
  const totalValue = cashBig.plus(positionsValue);
  for (const item of valued) {
    item.allocation = totalValue.gt(0) ? item.marketValue.div(totalValue).times(100).round(2, Big.roundHalfUp) : new Big(0);
  }
  valued.sort((a, b) => b.marketValue.cmp(a.marketValue));
  return { cash: cashBig, positionsValue, totalValue, positions: valued };
}
