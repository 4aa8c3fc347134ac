import { useQuery } from "urql";
import { InsightsQuery } from "../api/operations";
import { Skeleton } from "../components/Status";
import { formatDateTime } from "../lib/dates";
import { errorCode } from "../lib/errors";

/** The AI-written (or rule-based) reading of the portfolio, from User.insights. */
export function InsightsPanel() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: InsightsQuery });
  const insights = data?.me?.insights;
  const unavailable = !insights && (errorCode(error) === "INSIGHTS_UNAVAILABLE" || (error && !error.networkError));

  return (
    <section className="card insights" aria-labelledby="insights-title" data-testid="insights">
      <div className="section-head">
        <h2 id="insights-title">Insights</h2>
        <button type="button" className="btn small ghost" onClick={() => refetch({ requestPolicy: "network-only" })} disabled={fetching}>
          {fetching ? "Reading…" : "Refresh"}
        </button>
      </div>
      {fetching && !insights ? (
        <Skeleton rows={3} />
      ) : insights ? (
        <>
          <p className="insights-summary">{insights.summary}</p>
          <p className="muted small">
            {insights.model} · {formatDateTime(insights.generatedAt)}
            {insights.cached ? " · from cache" : ""}
          </p>
        </>
      ) : unavailable ? (
        <p className="muted">Insights are unavailable right now; your figures below are live all the same.</p>
      ) : error ? (
        <p className="muted">Can't reach the server for insights.</p>
      ) : (
        <p className="muted">No insights yet.</p>
      )}
    </section>
  );
}
