import { useState } from "react";
import { useQuery } from "urql";
import { PortfolioHistoryQuery } from "../api/operations";
import { PriceChart } from "../components/PriceChart";
import { Segmented } from "../components/Segmented";
import { ErrorBanner, Skeleton } from "../components/Status";
import type { HistoryRange } from "../gql/graphql";
import { direction, formatUsd, toBig } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";

export const RANGES: Array<{ value: HistoryRange; label: string }> = [
  { value: "ONE_DAY", label: "1D" },
  { value: "ONE_WEEK", label: "1W" },
  { value: "ONE_MONTH", label: "1M" },
];

/** The account's total value over a day, a week or a month (portfolioHistory). */
export function PortfolioChart() {
  const [range, setRange] = useState<HistoryRange>("ONE_WEEK");
  const [{ data, fetching, error }] = useQuery({ query: PortfolioHistoryQuery, variables: { range } });
  const series = data?.me?.portfolioHistory ?? [];
  const points = series.map((point) => ({ price: point.totalValue, at: point.at }));
  const first = series[0]?.totalValue;
  const last = series[series.length - 1]?.totalValue;
  const change = first && last ? toBig(last)!.minus(toBig(first)!) : null;

  return (
    <section className="card" aria-labelledby="value-title" data-testid="portfolio-chart">
      <div className="section-head">
        <h2 id="value-title">Account value</h2>
        <Segmented label="Range" value={range} options={RANGES} onChange={setRange} />
      </div>
      {last && (
        <p className="small">
          <strong className="num" data-testid="history-now">{formatUsd(last)}</strong>{" "}
          {change && points.length > 1 && (
            <>
              <span className={`num ${direction(change.toString()) > 0 ? "up" : direction(change.toString()) < 0 ? "down" : "muted"}`}>{formatUsd(change, { sign: true })}</span>{" "}
              <span className="muted">over the range</span>
            </>
          )}
        </p>
      )}
      <ErrorBanner message={data ? null : describeRequestError(error)} />
      {fetching && !data ? (
        <Skeleton rows={4} />
      ) : points.length < 2 ? (
        // No point lies before the account existed: a new account has only "now".
        <div className="chart-empty">Your account is new: its value chart fills in as time passes.</div>
      ) : (
        <PriceChart points={points} height={180} label="Account value" />
      )}
    </section>
  );
}
