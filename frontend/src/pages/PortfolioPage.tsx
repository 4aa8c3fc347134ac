import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { AssetTransactionsQuery, PortfolioQuery } from "../api/operations";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { LivePrice } from "../components/LivePrice";
import { Pager, useCursorPages } from "../components/Pager";
import { Empty, ErrorBanner, Loading, Skeleton } from "../components/Status";
import { TableHead } from "../components/TableHead";
import { useLivePrices } from "../hooks/useLivePrices";
import { formatDateTime } from "../lib/dates";
import { direction, formatPercent, formatPrice, formatQuantity, formatUsd } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";
import { valuePortfolio } from "../lib/portfolio";

function AssetHistory({ symbol }: { symbol: string | null }) {
  const pages = useCursorPages();
  const [{ data, fetching, error }] = useQuery({
    query: AssetTransactionsQuery,
    variables: { symbol, after: pages.after },
  });
  const connection = data?.me?.assetTransactions;
  return (
    <section className="card" aria-labelledby="asset-history-title" data-testid="asset-history">
      <h2 id="asset-history-title">{symbol ? `${symbol} transactions` : "All transactions"}</h2>
      <ErrorBanner message={data ? null : describeRequestError(error)} />
      {fetching && !connection ? (
        <Skeleton rows={3} />
      ) : !connection || connection.edges.length === 0 ? (
        <Empty>No trades{symbol ? ` in ${symbol}` : ""} yet.</Empty>
      ) : (
        <>
          <table className="table">
            <TableHead columns={["Date", "Asset", "Side", ["Quantity", "right"], ["Price", "right"], ["Total", "right"], ["Order", "hide-sm"]]} />
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td className="muted">{formatDateTime(node.createdAt)}</td>
                  <td>
                    <strong>{node.asset.symbol}</strong>
                  </td>
                  <td className={node.side === "BUY" ? "up" : "down"}>{node.side === "BUY" ? "Buy" : "Sell"}</td>
                  <td className="right num">{formatQuantity(node.quantity)}</td>
                  <td className="right num">{formatPrice(node.price)}</td>
                  <td className="right num">{formatUsd(node.total)}</td>
                  <td className="muted hide-sm">
                    #{node.order.id} · {node.order.type.toLowerCase()}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Transactions" page={pages.page} total={connection.totalCount} hasPrevious={pages.hasPrevious} hasNext={connection.pageInfo.hasNextPage} onPrevious={pages.previous} onNext={() => pages.next(connection.pageInfo.endCursor)} />
        </>
      )}
    </section>
  );
}

export function PortfolioPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get("asset");
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortfolioQuery });
  const portfolio = data?.me?.portfolio;
  const positions = portfolio?.positions ?? [];
  useLivePrices(positions.map((position) => position.asset.symbol), positions.length === 0);

  if (fetching && !portfolio) return <Loading label="Valuing your portfolio…" />;
  if (!portfolio) return <ErrorBanner message={describeRequestError(error) ?? "Could not load your portfolio."} onRetry={() => refetch({ requestPolicy: "network-only" })} />;

  const valuation = valuePortfolio(portfolio.cash, positions);
  const select = (symbol: string | null) => setParams(symbol ? { asset: symbol } : {}, { replace: true });
  const cashShare = valuation.totalValue.gt(0) ? valuation.cash.div(valuation.totalValue).times(100) : null;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Portfolio</h1>
          <p className="muted">Valued at live prices. Select a position for its trades.</p>
        </div>
        <div className="page-summary">
          <span>
            Total <strong className="num">{formatUsd(valuation.totalValue)}</strong>
          </span>
          <span>
            Positions <strong className="num">{formatUsd(valuation.positionsValue)}</strong>
          </span>
          <span>
            Cash <strong className="num">{formatUsd(valuation.cash)}</strong>
          </span>
        </div>
      </header>

      {valuation.positions.length > 0 && (
        <div className="allocation-bar" aria-label="Allocation">
          {valuation.positions.map(({ position, allocation }) => (
            <span key={position.asset.symbol} style={{ flexGrow: Number(allocation.toFixed(2)) }} title={`${position.asset.symbol} ${formatPercent(allocation, { sign: false })}`}>
              {position.asset.symbol}
            </span>
          ))}
          {cashShare && cashShare.gt(0) && (
            <span className="cash" style={{ flexGrow: Number(cashShare.toFixed(2)) }} title={`Cash ${formatPercent(cashShare, { sign: false })}`}>
              Cash
            </span>
          )}
        </div>
      )}

      <section className="card table-card">
        {valuation.positions.length === 0 ? (
          <Empty>
            You hold no assets yet. <Link to="/trade">Place your first order</Link>.
          </Empty>
        ) : (
          <table className="table" data-testid="positions">
            <TableHead columns={["Asset", ["Quantity", "right"], ["Average cost", "right hide-sm"], ["Price", "right"], ["Market value", "right"], ["Unrealised P&L", "right"], ["Allocation", "right"]]} />
            <tbody>
              {valuation.positions.map(({ position, marketValue, unrealizedPnl, pnlPercent, allocation }) => {
                const symbol = position.asset.symbol;
                const tone = direction(unrealizedPnl?.toFixed(2) ?? null);
                return (
                  <tr key={symbol} className={`clickable ${selected === symbol ? "selected" : ""}`} data-symbol={symbol} onClick={() => select(selected === symbol ? null : symbol)} aria-selected={selected === symbol}>
                    <td>
                      <span className="asset-cell">
                        <AssetIcon symbol={symbol} imageUrl={position.asset.imageUrl} />
                        <span>
                          <strong>{position.asset.name}</strong>
                          <span className="muted">{symbol}</span>
                        </span>
                      </span>
                    </td>
                    <td className="right num">
                      {formatQuantity(position.quantity)}
                      {position.available !== position.quantity && <small className="muted block">{formatQuantity(position.available)} free</small>}
                    </td>
                    <td className="right num hide-sm">{formatPrice(position.averageCost)}</td>
                    <td className="right">
                      <LivePrice value={position.asset.price} />
                    </td>
                    <td className="right num">{formatUsd(marketValue)}</td>
                    <td className={`right num ${tone > 0 ? "up" : tone < 0 ? "down" : ""}`}>
                      {unrealizedPnl ? formatUsd(unrealizedPnl, { sign: true }) : "—"}
                      {pnlPercent && (
                        <small className="block">
                          <Change value={pnlPercent.toFixed(2)} />
                        </small>
                      )}
                    </td>
                    <td className="right">
                      <span className="alloc">
                        <span className="alloc-track">
                          <span style={{ width: `${Math.min(100, Number(allocation.toFixed(2)))}%` }} />
                        </span>
                        <span className="num">{formatPercent(allocation, { sign: false })}</span>
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <div className="toolbar">
        <label className="inline">
          History for
          <select value={selected ?? ""} onChange={(event) => select(event.target.value || null)} aria-label="History for">
            <option value="">All assets</option>
            {positions.map((position) => (
              <option key={position.asset.symbol} value={position.asset.symbol}>
                {position.asset.symbol}
              </option>
            ))}
          </select>
        </label>
      </div>
      <AssetHistory key={selected ?? "all"} symbol={selected} />
    </div>
  );
}
