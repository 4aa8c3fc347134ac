import { useState } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { DashboardQuery } from "../api/operations";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { LivePrice } from "../components/LivePrice";
import { Empty, ErrorBanner, Loading } from "../components/Status";
import { InsightsPanel } from "../features/InsightsPanel";
import { OrderList } from "../features/OrderList";
import { PortfolioChart } from "../features/PortfolioChart";
import { RedPocketModal } from "../features/RedPocketModal";
import { WatchlistPanel } from "../features/WatchlistPanel";
import { useLivePrices } from "../hooks/useLivePrices";
import { direction, formatPercent, formatQuantity, formatUsd } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";
import { valuePortfolio } from "../lib/portfolio";

export function DashboardPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: DashboardQuery });
  const [redPocket, setRedPocket] = useState(false);
  const me = data?.me;
  const positions = me?.portfolio.positions ?? [];
  useLivePrices(positions.map((position) => position.asset.symbol), positions.length === 0);

  if (fetching && !me) return <Loading label="Loading your dashboard…" />;
  if (!me) return <ErrorBanner message={describeRequestError(error) ?? "Could not load your dashboard."} onRetry={() => refetch({ requestPolicy: "network-only" })} />;

  const valuation = valuePortfolio(me.balance.cash, positions);
  const held = (() => {
    const cash = valuation.cash;
    const available = me.balance.available;
    return cash.minus(available);
  })();
  const pnl = valuation.positions.reduce((sum, item) => (item.unrealizedPnl ? sum.plus(item.unrealizedPnl) : sum), valuation.cash.times(0));

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Hello, {me.firstName || me.username}</h1>
          <p className="muted">Your paper portfolio at live prices.</p>
        </div>
        <div className="page-actions">
          <button type="button" className="btn red" onClick={() => setRedPocket(true)} data-testid="open-red-pocket">
            Red pocket
          </button>
          <Link to="/account" className="btn ghost">
            Deposit
          </Link>
          <Link to="/trade" className="btn primary">
            Trade
          </Link>
        </div>
      </header>

      <div className="stat-cards">
        <div className="stat-card" data-testid="card-cash">
          <span className="label">Cash</span>
          <strong className="num">{formatUsd(valuation.cash)}</strong>
          <span className="muted small">
            {formatUsd(me.balance.available)} available{held.gt(0) ? ` · ${formatUsd(held)} held by open orders` : ""}
          </span>
        </div>
        <div className="stat-card" data-testid="card-positions">
          <span className="label">Positions value</span>
          <strong className="num">{formatUsd(valuation.positionsValue)}</strong>
          <span className={`small num ${direction(pnl.toString()) > 0 ? "up" : direction(pnl.toString()) < 0 ? "down" : "muted"}`}>
            {formatUsd(pnl, { sign: true })} unrealised
          </span>
        </div>
        <div className="stat-card accent" data-testid="card-total">
          <span className="label">Total value</span>
          <strong className="num">{formatUsd(valuation.totalValue)}</strong>
          <span className="muted small">cash + positions</span>
        </div>
      </div>

      <PortfolioChart />

      <div className="dash-grid">
        <InsightsPanel />

        <section className="card" aria-labelledby="holdings-title">
          <div className="section-head">
            <h2 id="holdings-title">Holdings</h2>
            <Link to="/portfolio">Portfolio →</Link>
          </div>
          {valuation.positions.length === 0 ? (
            <Empty>
              No positions yet. <Link to="/account">Deposit</Link> some play money, then <Link to="/trade">place an order</Link>.
            </Empty>
          ) : (
            <ul className="holdings">
              {valuation.positions.map(({ position, marketValue, pnlPercent, allocation }) => (
                <li key={position.asset.symbol}>
                  <AssetIcon symbol={position.asset.symbol} imageUrl={position.asset.imageUrl} size={28} />
                  <div>
                    <strong>{position.asset.symbol}</strong>
                    <span className="muted small">{formatQuantity(position.quantity)} units</span>
                  </div>
                  <div className="right">
                    <LivePrice value={marketValue.toFixed(2)} format={(value) => formatUsd(value)} />
                    <span className="small">
                      {pnlPercent ? <Change value={pnlPercent.toFixed(2)} /> : null} <span className="muted">{formatPercent(allocation, { sign: false })}</span>
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <WatchlistPanel />

      <section className="card" aria-labelledby="recent-title">
        <div className="section-head">
          <h2 id="recent-title">Recent orders</h2>
          <Link to="/trade">All orders →</Link>
        </div>
        {me.orders.edges.length === 0 ? <Empty>No orders yet.</Empty> : <OrderList orders={me.orders.edges.map((edge) => edge.node)} />}
      </section>

      <RedPocketModal open={redPocket} onClose={() => setRedPocket(false)} />
    </div>
  );
}
