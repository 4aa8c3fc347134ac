import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { CreatePriceAlertMutation, DeletePriceAlertMutation, PriceAlertsQuery } from "../api/operations";
import { AssetIcon } from "../components/AssetIcon";
import { Field, FormErrors } from "../components/Field";
import { LivePrice } from "../components/LivePrice";
import { Empty, ErrorBanner, Skeleton } from "../components/Status";
import { useToasts } from "../components/Toasts";
import { useLivePrices } from "../hooks/useLivePrices";
import { describeAlert, firstTimeFired, type AlertCondition } from "../lib/alerts";
import { formatDateTime } from "../lib/dates";
import { formatPrice, isDecimalInput, toBig } from "../lib/decimal";
import { describeRequestError, placeErrors, type PlacedErrors } from "../lib/errors";

const FIELDS = ["assetSymbol", "price"];
const NO_ERRORS: PlacedErrors = { fields: {}, form: [] };

/** What is wrong with the alert's price before it is sent, or null. */
export function checkAlertPrice(text: string): string | null {
  const value = text.trim();
  if (!value) return "Give the price to watch for.";
  if (!isDecimalInput(value) || !toBig(value)?.gt(0)) return "The price must be a number greater than zero.";
  return null;
}

function NewAlertForm() {
  const [params] = useSearchParams();
  const [symbol, setSymbol] = useState(params.get("symbol") ?? "");
  const [condition, setCondition] = useState<AlertCondition>("ABOVE");
  const [price, setPrice] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [{ fetching }, create] = useMutation(CreatePriceAlertMutation);
  const { notify } = useToasts();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: PlacedErrors = { fields: {}, form: [] };
    if (!symbol.trim()) local.fields.assetSymbol = "Give the symbol of an asset, such as BTC.";
    const priceProblem = checkAlertPrice(price);
    if (priceProblem) local.fields.price = priceProblem;
    if (Object.keys(local.fields).length > 0) {
      setErrors(local);
      return;
    }
    const result = await create({ input: { assetSymbol: symbol.trim(), condition, price: price.trim() } });
    const payload = result.data?.createPriceAlert;
    if (!payload) {
      setErrors({ fields: {}, form: [describeRequestError(result.error) ?? "The alert was not sent; try again."] });
      return;
    }
    if (!payload.alert) {
      setErrors(placeErrors(payload.errors, FIELDS));
      return;
    }
    setErrors(NO_ERRORS);
    setPrice("");
    const alert = payload.alert;
    const what = describeAlert(alert.asset.symbol, alert.condition, alert.price);
    if (alert.status === "TRIGGERED") {
      // The live toast may have told already; if not, this is the one.
      if (firstTimeFired(alert.id)) {
        notify({ tone: "info", title: `Price alert: ${what}`, body: `It held already: ${alert.asset.symbol} is at ${formatPrice(alert.triggeredPrice)}` });
      }
    } else {
      notify({ tone: "success", title: "Alert set", body: `You will hear when ${what}.` });
    }
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-alert-title" noValidate>
      <h2 id="new-alert-title">New alert</h2>
      <Field label="Asset symbol" name="assetSymbol" value={symbol} onChange={setSymbol} error={errors.fields.assetSymbol} placeholder="BTC" autoComplete="off" />
      <div className="field">
        <label htmlFor="alert-condition">When the price is</label>
        <select id="alert-condition" value={condition} onChange={(event) => setCondition(event.target.value as AlertCondition)}>
          <option value="ABOVE">at or above</option>
          <option value="BELOW">at or below</option>
        </select>
      </div>
      <Field label="Price (USD)" name="price" value={price} onChange={setPrice} error={errors.fields.price} inputMode="decimal" autoComplete="off" />
      <FormErrors messages={errors.form} />
      <button type="submit" className="btn primary" disabled={fetching}>
        {fetching ? "Setting…" : "Set alert"}
      </button>
    </form>
  );
}

export function AlertsPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PriceAlertsQuery });
  const [, remove] = useMutation(DeletePriceAlertMutation);
  const [problem, setProblem] = useState<string | null>(null);
  const active = data?.me?.active ?? [];
  const triggered = data?.me?.triggered ?? [];
  useLivePrices(active.map((alert) => alert.asset.symbol), active.length === 0);

  const onDelete = async (id: string) => {
    const result = await remove({ id });
    const errors = result.data?.deletePriceAlert.errors ?? [];
    setProblem(result.error ? describeRequestError(result.error) : errors.length ? errors[0].message : null);
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Price alerts</h1>
          <p className="muted">Hear when a price reaches a level: each alert fires once, at once if it already holds. At most 50 active.</p>
        </div>
      </header>
      <ErrorBanner message={data ? problem : describeRequestError(error)} onRetry={data ? undefined : () => refetch({ requestPolicy: "network-only" })} />
      <div className="account-grid">
        <NewAlertForm />
        <section className="card" aria-labelledby="active-alerts-title" data-testid="active-alerts">
          <h2 id="active-alerts-title">Active</h2>
          {fetching && !data ? (
            <Skeleton rows={3} />
          ) : active.length === 0 ? (
            <Empty>No active alerts.</Empty>
          ) : (
            <ul className="holdings">
              {active.map((alert) => (
                <li key={alert.id} data-alert={alert.id}>
                  <AssetIcon symbol={alert.asset.symbol} imageUrl={alert.asset.imageUrl} size={28} />
                  <div>
                    <strong>{describeAlert(alert.asset.symbol, alert.condition, alert.price)}</strong>
                    <span className="muted small">
                      now <LivePrice value={alert.asset.price} />
                    </span>
                  </div>
                  <div className="right">
                    <button type="button" className="btn small ghost" onClick={() => onDelete(alert.id)} aria-label={`Delete alert ${describeAlert(alert.asset.symbol, alert.condition, alert.price)}`}>
                      Delete
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="fired-alerts-title" data-testid="fired-alerts">
        <h2 id="fired-alerts-title">Fired</h2>
        {triggered.length === 0 ? (
          <Empty>None has fired yet.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Alert</th>
                <th className="right">Fired at</th>
                <th className="hide-sm">When</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {triggered.map((alert) => (
                <tr key={alert.id} data-alert={alert.id}>
                  <td>
                    <Link to={`/market/${alert.asset.symbol}`}>{describeAlert(alert.asset.symbol, alert.condition, alert.price)}</Link>
                  </td>
                  <td className="right num">{formatPrice(alert.triggeredPrice)}</td>
                  <td className="muted hide-sm">{alert.triggeredAt ? formatDateTime(alert.triggeredAt) : ""}</td>
                  <td className="right">
                    <button type="button" className="btn small ghost" onClick={() => onDelete(alert.id)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
