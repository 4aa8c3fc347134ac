import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { CancelAllOrdersMutation, CancelOrderMutation, OpenOrdersQuery, OrderHistoryQuery, TradableAssetsQuery, TradeContextQuery } from "../api/operations";
import type { OrderFieldsFragment } from "../gql/graphql";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { Pager, useCursorPages } from "../components/Pager";
import { Empty, ErrorBanner, Loading, Skeleton } from "../components/Status";
import { useToasts } from "../components/Toasts";
import { OrderList } from "../features/OrderList";
import { OrderTicket } from "../features/OrderTicket";
import { useLivePrices } from "../hooks/useLivePrices";
import { orderKey, reported, reportingFailed, reportingPending } from "../lib/announced";
import { formatQuantity } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";

function OpenOrders() {
  const { notify } = useToasts();
  const [{ data, fetching, error }] = useQuery({ query: OpenOrdersQuery });
  const [cancelling, setCancelling] = useState<string | null>(null);
  const [, cancelOrder] = useMutation(CancelOrderMutation);
  const [{ fetching: cancellingAll }, cancelAllOrders] = useMutation(CancelAllOrdersMutation);
  const orders = data?.me?.orders.edges.map((edge) => edge.node) ?? [];

  const onCancelAll = async () => {
    for (const order of orders) reportingPending(orderKey(order.id));
    const result = await cancelAllOrders({});
    const payload = result.data?.cancelAllOrders;
    const cancelled = new Set(payload?.orders.map((order) => order.id) ?? []);
    for (const order of orders) {
      if (cancelled.has(order.id)) reported(orderKey(order.id), "CANCELLED");
      else reportingFailed(orderKey(order.id));
    }
    if (!payload) {
      notify({ tone: "error", title: "Cancel all not sent", body: describeRequestError(result.error) ?? undefined });
    } else if (payload.errors.length) {
      notify({ tone: "error", title: "Could not cancel", body: payload.errors.map((item) => item.message).join(" ") });
    } else {
      const count = payload.orders.length;
      notify({ tone: "info", title: count === 1 ? "1 order cancelled" : `${count} orders cancelled`, body: "What they held is released." });
    }
  };

  const onCancel = async (order: OrderFieldsFragment) => {
    setCancelling(order.id);
    reportingPending(orderKey(order.id));
    const result = await cancelOrder({ id: order.id });
    setCancelling(null);
    const payload = result.data?.cancelOrder;
    if (!payload || payload.errors.length) reportingFailed(orderKey(order.id));
    if (!payload) {
      notify({ tone: "error", title: "Cancel not sent", body: describeRequestError(result.error) ?? undefined });
    } else if (payload.errors.length) {
      notify({ tone: "error", title: "Could not cancel", body: payload.errors.map((item) => item.message).join(" ") });
    } else if (payload.order) {
      reported(orderKey(payload.order.id), payload.order.status);
      notify({ tone: "info", title: "Order cancelled", body: `${payload.order.side === "BUY" ? "Buy" : "Sell"} ${formatQuantity(payload.order.quantity)} ${payload.order.asset.symbol}; what it held is released.` });
    }
  };

  return (
    <section className="card" aria-labelledby="open-orders-title">
      <div className="section-head">
        <h2 id="open-orders-title">Open orders</h2>
        <span className="muted small">{orders.length ? `${orders.length} resting` : ""}</span>
        {orders.length > 0 && (
          <button type="button" className="btn small danger" onClick={onCancelAll} disabled={cancellingAll} data-testid="cancel-all-orders">
            {cancellingAll ? "Cancelling…" : "Cancel all"}
          </button>
        )}
      </div>
      <ErrorBanner message={data ? null : describeRequestError(error)} />
      {fetching && !data ? <Skeleton rows={2} /> : orders.length === 0 ? <Empty>No open orders. Limit and stop orders rest here until they fill, expire or are cancelled.</Empty> : <OrderList orders={orders} onCancel={onCancel} cancelling={cancelling} testId="open-orders" />}
    </section>
  );
}

function OrderHistory() {
  const pages = useCursorPages();
  const [{ data, fetching }] = useQuery({ query: OrderHistoryQuery, variables: { after: pages.after } });
  const connection = data?.me?.orders;
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Order history</h2>
      {fetching && !connection ? (
        <Skeleton rows={3} />
      ) : !connection || connection.edges.length === 0 ? (
        <Empty>No orders yet.</Empty>
      ) : (
        <>
          <OrderList orders={connection.edges.map((edge) => edge.node)} testId="order-history" />
          <Pager label="Orders" page={pages.page} total={connection.totalCount} hasPrevious={pages.hasPrevious} hasNext={connection.pageInfo.hasNextPage} onPrevious={pages.previous} onNext={() => pages.next(connection.pageInfo.endCursor)} />
        </>
      )}
    </section>
  );
}

export function TradePage() {
  const { symbol: param } = useParams();
  const symbol = (param ?? "BTC").toUpperCase();
  const navigate = useNavigate();
  const [assets] = useQuery({ query: TradableAssetsQuery });
  const [context] = useQuery({ query: TradeContextQuery });
  useLivePrices([symbol]);

  const list = assets.data?.assets.edges.map((edge) => edge.node) ?? [];
  const asset = list.find((item) => item.symbol === symbol);
  const me = context.data?.me;
  const position = me?.positions.find((item) => item.asset.symbol === symbol);

  if ((assets.fetching && !assets.data) || (context.fetching && !context.data)) return <Loading label="Loading the order ticket…" />;
  const problem = describeRequestError(assets.error ?? context.error);
  if (!assets.data || !me) return <ErrorBanner message={problem ?? "Could not load the order ticket."} />;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Trade</h1>
          <p className="muted">Market orders fill at once; limit and stop orders wait for your price.</p>
        </div>
      </header>
      <div className="trade-grid">
        <div>
          {asset ? (
            <OrderTicket
              key={asset.symbol}
              asset={asset}
              cashAvailable={me.balance.available}
              positionAvailable={position?.available ?? "0"}
              maxOrderValue={me.limits.maxOrderValue}
              assetPicker={(error) => (
                <div className={`field ${error ? "has-error" : ""}`}>
                  <label htmlFor="asset-picker">Asset</label>
                  <div className="asset-picker">
                    <AssetIcon symbol={asset.symbol} imageUrl={asset.imageUrl} size={28} />
                    <select id="asset-picker" name="assetSymbol" value={asset.symbol} onChange={(event) => navigate(`/trade/${event.target.value}`)}>
                      {list.map((item) => (
                        <option key={item.symbol} value={item.symbol}>
                          {item.symbol} · {item.name}
                        </option>
                      ))}
                    </select>
                    <Change value={asset.priceChange24h} />
                  </div>
                  {error && (
                    <p className="field-error" role="alert" data-field="assetSymbol">
                      {error}
                    </p>
                  )}
                  {position && (
                    <p className="field-hint">
                      You hold {formatQuantity(position.quantity)} {asset.symbol}
                      {position.available !== position.quantity ? ` (${formatQuantity(position.available)} available)` : ""}.
                    </p>
                  )}
                </div>
              )}
            />
          ) : (
            <div className="card">
              <p>{symbol} is not in the list of tradable assets.</p>
              <Link to="/trade/BTC" className="btn primary">
                Trade BTC instead
              </Link>
            </div>
          )}
        </div>
        <div className="stack">
          <OpenOrders />
          <OrderHistory />
        </div>
      </div>
    </div>
  );
}
