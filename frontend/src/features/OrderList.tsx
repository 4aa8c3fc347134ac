import { Link } from "react-router";
import type { OrderFieldsFragment } from "../gql/graphql";
import { AssetIcon } from "../components/AssetIcon";
import { TableHead, type Column } from "../components/TableHead";
import { formatDateTime } from "../lib/dates";
import { formatPrice, formatQuantity, formatUsd } from "../lib/decimal";

const TIME_IN_FORCE_TITLES: Record<string, string> = {
  GTC: "Good till cancelled",
  IOC: "Immediate or cancel",
  DAY: "Until the end of the UTC day",
  GTD: "Good till date",
};

const TYPE_NAMES: Record<string, string> = { MARKET: "market", LIMIT: "limit", STOP: "stop", STOP_LIMIT: "stop-limit" };

/** "stop ≥ 110.00" for a BUY stop: the condition that triggers it. */
function stopCondition(order: OrderFieldsFragment): string | null {
  if (!order.stopPrice) return null;
  return `stop ${order.side === "BUY" ? "≥" : "≤"} ${formatPrice(order.stopPrice)}${order.triggeredAt ? " (triggered)" : ""}`;
}

export function StatusTag({ status }: { status: string }) {
  return <span className={`tag status-${status.toLowerCase()}`}>{status.toLowerCase()}</span>;
}

const COLUMNS: Column[] = ["Asset", "Order", ["Quantity", "right"], ["Price", "right"], ["Total", "right hide-sm"], "Status", ["Time in force", "hide-sm"], ["Placed", "hide-sm"]];

interface Props {
  orders: readonly OrderFieldsFragment[];
  onCancel?: (order: OrderFieldsFragment) => void;
  cancelling?: string | null;
  testId?: string;
}

/** Orders as a table; with onCancel, OPEN ones get a Cancel button. */
export function OrderList({ orders, onCancel, cancelling, testId }: Props) {
  return (
    <table className="table" data-testid={testId}>
      <TableHead columns={COLUMNS}>{onCancel && <th aria-label="Actions" />}</TableHead>
      <tbody>
        {orders.map((order) => (
          <tr key={order.id} data-order-id={order.id} data-status={order.status}>
            <td>
              <Link to={`/market/${order.asset.symbol}`} className="asset-cell compact">
                <AssetIcon symbol={order.asset.symbol} imageUrl={order.asset.imageUrl} size={24} />
                <strong>{order.asset.symbol}</strong>
              </Link>
            </td>
            <td className="nowrap">
              <span className={order.side === "BUY" ? "up" : "down"}>{order.side === "BUY" ? "Buy" : "Sell"}</span>
              <span className="muted"> · {TYPE_NAMES[order.type] ?? order.type.toLowerCase()}</span>
              {order.stopPrice && (
                <div className="muted small" data-testid="order-stop">
                  {stopCondition(order)}
                </div>
              )}
            </td>
            <td className="right num">{formatQuantity(order.quantity)}</td>
            <td className="right num">
              {order.executedPrice
                ? formatPrice(order.executedPrice)
                : order.limitPrice
                  ? `${order.side === "BUY" ? "≤" : "≥"} ${formatPrice(order.limitPrice)}`
                  : order.stopPrice
                    ? "market"
                    : "—"}
            </td>
            <td className="right num hide-sm">{formatUsd(order.total)}</td>
            <td>
              <StatusTag status={order.status} />
            </td>
            <td className="nowrap hide-sm" data-testid="order-time-in-force">
              <abbr title={TIME_IN_FORCE_TITLES[order.timeInForce]}>{order.timeInForce}</abbr>
              {order.expiresAt && <div className="muted small">until {formatDateTime(order.expiresAt, { compact: true })}</div>}
            </td>
            <td className="muted hide-sm">{formatDateTime(order.createdAt, { compact: true })}</td>
            {onCancel && (
              <td className="right">
                {order.status === "OPEN" && (
                  <button type="button" className="btn small danger" onClick={() => onCancel(order)} disabled={cancelling === order.id} aria-label={`Cancel order ${order.id}`}>
                    {cancelling === order.id ? "Cancelling…" : "Cancel"}
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
