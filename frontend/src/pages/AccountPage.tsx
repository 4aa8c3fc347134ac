import { useState } from "react";
import { useQuery } from "urql";
import { AccountQuery, LedgerQuery } from "../api/operations";
import type { BalanceTransactionType } from "../gql/graphql";
import { Pager, useCursorPages } from "../components/Pager";
import { Empty, ErrorBanner, Loading, Skeleton } from "../components/Status";
import { Options } from "../components/Options";
import { TableHead } from "../components/TableHead";
import { CashForm } from "../features/CashForm";
import { useAuth } from "../auth/AuthProvider";
import { ExportDownloads } from "../features/ExportDownloads";
import { formatDateTime } from "../lib/dates";
import { direction, formatQuantity, formatUsd, toBig } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";

const TYPES: Array<{ value: BalanceTransactionType | ""; label: string }> = [
  { value: "", label: "All movements" },
  { value: "DEPOSIT", label: "Deposits" },
  { value: "WITHDRAWAL", label: "Withdrawals" },
  { value: "ORDER_BUY", label: "Buys" },
  { value: "ORDER_SELL", label: "Sells" },
  { value: "REWARD", label: "Rewards" },
];

const TYPE_LABEL: Record<BalanceTransactionType, string> = {
  DEPOSIT: "Deposit",
  WITHDRAWAL: "Withdrawal",
  ORDER_BUY: "Buy",
  ORDER_SELL: "Sell",
  REWARD: "Red pocket",
};

function LimitMeter({ label, used, limit, remaining }: { label: string; used: string; limit: string; remaining: string }) {
  const total = toBig(limit);
  const spent = toBig(used);
  const share = total && spent && total.gt(0) ? Math.min(100, Number(spent.div(total).times(100).toFixed(1))) : 0;
  return (
    <div className="meter">
      <div className="meter-head">
        <span>{label}</span>
        <span className="num">
          <strong>{formatUsd(remaining)}</strong> <span className="muted">of {formatUsd(limit)} left</span>
        </span>
      </div>
      <div className="meter-track" role="progressbar" aria-label={`${label} used`} aria-valuenow={share} aria-valuemin={0} aria-valuemax={100}>
        <span style={{ width: `${share}%` }} />
      </div>
    </div>
  );
}

function Ledger() {
  const [type, setType] = useState<BalanceTransactionType | "">("");
  const pages = useCursorPages();
  const [{ data, fetching, error }] = useQuery({ query: LedgerQuery, variables: { after: pages.after, type: type || null } });
  const connection = data?.me?.transactions;
  return (
    <section className="card" aria-labelledby="ledger-title" data-testid="ledger">
      <div className="section-head">
        <h2 id="ledger-title">Ledger</h2>
        <select
          aria-label="Movement type"
          value={type}
          onChange={(event) => {
            pages.reset();
            setType(event.target.value as BalanceTransactionType | "");
          }}
        >
          <Options items={TYPES} />
        </select>
      </div>
      <ErrorBanner message={data ? null : describeRequestError(error)} />
      {fetching && !connection ? (
        <Skeleton rows={4} />
      ) : !connection || connection.edges.length === 0 ? (
        <Empty>No cash movements yet.</Empty>
      ) : (
        <>
          <table className="table">
            <TableHead columns={["Date", "Movement", ["Details", "hide-sm"], ["Amount", "right"], ["Balance after", "right"]]} />
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id} data-type={node.type}>
                  <td className="muted">{formatDateTime(node.createdAt)}</td>
                  <td>{TYPE_LABEL[node.type]}</td>
                  <td className="muted hide-sm">{node.order ? `${node.order.side === "BUY" ? "Bought" : "Sold"} ${formatQuantity(node.order.quantity)} ${node.order.asset.symbol} (order #${node.order.id})` : ""}</td>
                  <td className={`right num ${direction(node.amount) > 0 ? "up" : "down"}`}>{formatUsd(node.amount, { sign: true })}</td>
                  <td className="right num">{formatUsd(node.balanceAfter)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Ledger" page={pages.page} total={connection.totalCount} hasPrevious={pages.hasPrevious} hasNext={connection.pageInfo.hasNextPage} onPrevious={pages.previous} onNext={() => pages.next(connection.pageInfo.endCursor)} />
        </>
      )}
    </section>
  );
}

export function AccountPage() {
  const { token } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: AccountQuery });
  const me = data?.me;
  if (fetching && !me) return <Loading label="Loading your account…" />;
  if (!me) return <ErrorBanner message={describeRequestError(error) ?? "Could not load your account."} onRetry={() => refetch({ requestPolicy: "network-only" })} />;
  const { balance, limits } = me;
  const held = toBig(balance.cash)!.minus(toBig(balance.available)!);

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Account</h1>
          <p className="muted">Move play money in and out, within daily limits (UTC days).</p>
        </div>
        <div className="page-summary">
          <span>
            Cash <strong className="num" data-testid="account-cash">{formatUsd(balance.cash)}</strong>
          </span>
          <span>
            Available <strong className="num" data-testid="account-available">{formatUsd(balance.available)}</strong>
          </span>
          {held.gt(0) && (
            <span>
              Held by orders <strong className="num">{formatUsd(held)}</strong>
            </span>
          )}
        </div>
      </header>

      <div className="account-grid">
        <CashForm kind="deposit" remaining={limits.depositRemaining} available={balance.available} />
        <CashForm kind="withdraw" remaining={limits.withdrawRemaining} available={balance.available} />
        <section className="card limits" aria-labelledby="limits-title">
          <h2 id="limits-title">Today's limits</h2>
          <LimitMeter label="Deposits" used={limits.depositedToday} limit={limits.depositLimit} remaining={limits.depositRemaining} />
          <LimitMeter label="Withdrawals" used={limits.withdrawnToday} limit={limits.withdrawLimit} remaining={limits.withdrawRemaining} />
          <p className="muted small">One order may be worth up to {formatUsd(limits.maxOrderValue)}.</p>
        </section>
      </div>

      <Ledger />

      <ExportDownloads token={token} />
    </div>
  );
}
