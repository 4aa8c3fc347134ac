import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useMutation } from "urql";
import { PlaceOrderMutation } from "../api/operations";
import { Field, FormErrors } from "../components/Field";
import { LivePrice } from "../components/LivePrice";
import { Modal } from "../components/Modal";
import { Options } from "../components/Options";
import { Segmented } from "../components/Segmented";
import { useToasts } from "../components/Toasts";
import { formatPrice, formatQuantity, formatUsd } from "../lib/decimal";
import { describeRequestError, placeErrors, type PlacedErrors } from "../lib/errors";
import { clientKey, reported, reportingFailed, reportingPending } from "../lib/announced";
import { randomId } from "../lib/ids";
import {
  expiryInstant,
  maxQuantity,
  previewOrder,
  usesLimitPrice,
  usesStopPrice,
  type Hold,
  type OrderDraft,
  type OrderKind,
  type Side,
  type TimeInForce,
} from "../lib/orderPreview";

export interface TicketAsset {
  symbol: string;
  name: string;
  price: string;
  isTradable?: boolean;
}

interface Props {
  asset: TicketAsset;
  cashAvailable: string | null;
  positionAvailable: string | null;
  maxOrderValue: string | null;
  /** Rendered where an error naming assetSymbol belongs (the asset picker). */
  assetPicker?: (error: string | undefined) => ReactNode;
}

const SERVER_FIELDS = ["quantity", "limitPrice", "stopPrice", "timeInForce", "expiresAt", "assetSymbol"] as const;
const NO_ERRORS: PlacedErrors = { fields: {}, form: [] };

const TYPE_LABELS: Record<OrderKind, string> = { MARKET: "Market", LIMIT: "Limit", STOP: "Stop", STOP_LIMIT: "Stop-limit" };
const TIME_IN_FORCE_LABELS: Record<TimeInForce, string> = {
  GTC: "Good till cancelled",
  IOC: "Immediate or cancel",
  DAY: "Until the end of the day (UTC)",
  GTD: "Good till date",
};

function describeHold(hold: Hold | null, symbol: string): string {
  if (!hold) return "Nothing";
  return "cash" in hold ? formatUsd(hold.cash.toFixed(2)) : `${formatQuantity(hold.units.toFixed())} ${symbol}`;
}

function stopHint(side: Side, type: OrderKind): string {
  const when = side === "BUY" ? "rises to this or higher" : "falls to this or lower";
  return type === "STOP" ? `Executes at the market price once the price ${when}.` : `Becomes a limit order once the price ${when}.`;
}

/** One line of the preview or the confirmation: a term and its figure (a number, unless className says otherwise). */
function Figure({ term, className = "num", testId, children }: { term: string; className?: string | null; testId?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd className={className ?? undefined} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** The order form: live preview, checks before sending, a confirmation step, errors by field. */
export function OrderTicket({ asset, cashAvailable, positionAvailable, maxOrderValue, assetPicker }: Props) {
  const { notify } = useToasts();
  const [draft, setDraft] = useState<OrderDraft>({ side: "BUY", type: "MARKET", quantity: "", limitPrice: "", stopPrice: "", timeInForce: "GTC", expiresAt: "" });
  const [serverErrors, setServerErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [confirming, setConfirming] = useState<{ clientOrderId: string } | null>(null);
  const [{ fetching }, placeOrder] = useMutation(PlaceOrderMutation);

  const context = useMemo(
    () => ({ symbol: asset.symbol, marketPrice: asset.price, cashAvailable, positionAvailable, maxOrderValue }),
    [asset.symbol, asset.price, cashAvailable, positionAvailable, maxOrderValue],
  );
  const preview = previewOrder(draft, context);

  const update = (change: Partial<OrderDraft>) => {
    setDraft((current) => ({ ...current, ...change }));
    setServerErrors(NO_ERRORS);
  };

  const fillMax = () => {
    const atPrice = usesLimitPrice(draft.type) ? draft.limitPrice : draft.type === "STOP" ? draft.stopPrice : undefined;
    const units = maxQuantity(draft.side, context, atPrice);
    update({ quantity: units ? units.toFixed() : "" });
  };

  const review = (event: FormEvent) => {
    event.preventDefault();
    if (!preview.ready) return;
    setConfirming({ clientOrderId: randomId() });
  };

  const submit = async () => {
    if (!confirming) return;
    const key = clientKey(confirming.clientOrderId)!;
    reportingPending(key);
    const result = await placeOrder({
      input: {
        assetSymbol: asset.symbol,
        side: draft.side,
        type: draft.type,
        quantity: draft.quantity.trim(),
        limitPrice: usesLimitPrice(draft.type) ? draft.limitPrice.trim() : null,
        stopPrice: usesStopPrice(draft.type) ? (draft.stopPrice ?? "").trim() : null,
        timeInForce: resting ? timeInForce : null,
        expiresAt: resting && timeInForce === "GTD" && draft.expiresAt ? expiryInstant(draft.expiresAt) : null,
        clientOrderId: confirming.clientOrderId,
      },
    });
    const payload = result.data?.placeOrder;
    if (!payload) {
      reportingFailed(key);
      // Nothing is known to have happened: keep the dialog (and its clientOrderId) for a safe retry.
      setServerErrors({ fields: {}, form: [describeRequestError(result.error) ?? "The order was not sent."] });
      return;
    }
    setConfirming(null);
    if (payload.errors.length || !payload.order) {
      reportingFailed(key);
      setServerErrors(placeErrors(payload.errors, SERVER_FIELDS));
      return;
    }
    const order = payload.order;
    reported(key, order.status);
    const verb = order.side === "BUY" ? "Bought" : "Sold";
    if (order.status === "FILLED") {
      notify({ tone: "success", title: `${verb} ${formatQuantity(order.quantity)} ${order.asset.symbol}`, body: `at ${formatPrice(order.executedPrice)} for ${formatUsd(order.total)}` });
    } else if (order.status === "OPEN" && order.stopPrice && !order.triggeredAt) {
      notify({ tone: "info", title: `${TYPE_LABELS[order.type]} ${order.side.toLowerCase()} placed`, body: `${formatQuantity(order.quantity)} ${order.asset.symbol}, triggered at ${formatPrice(order.stopPrice)}.` });
    } else if (order.status === "OPEN") {
      notify({ tone: "info", title: `Limit ${order.side.toLowerCase()} placed`, body: `${formatQuantity(order.quantity)} ${order.asset.symbol} at ${formatPrice(order.limitPrice)}; it fills when the price gets there.` });
    } else if (order.status === "CANCELLED" && order.timeInForce === "IOC") {
      notify({ tone: "info", title: "Not filled: cancelled at once", body: "An immediate-or-cancel order that cannot fill now never rests." });
    } else {
      notify({ tone: "error", title: `Order ${order.status.toLowerCase()}` });
    }
    setDraft((current) => ({ ...current, quantity: "", limitPrice: "", stopPrice: "" }));
    setServerErrors(NO_ERRORS);
  };

  const fieldError = (name: "quantity" | "limitPrice" | "stopPrice" | "expiresAt") =>
    serverErrors.fields[name] ?? ((draft[name] ?? "").trim() ? preview.errors[name] : undefined);
  /** What each amount's <Field> takes from the draft: typed as decimals, checked as you type. */
  const amount = (name: "quantity" | "limitPrice" | "stopPrice") => ({
    name,
    inputMode: "decimal" as const,
    autoComplete: "off",
    value: draft[name] ?? "",
    onChange: (value: string) => update({ [name]: value }),
    error: fieldError(name),
  });
  const buying = draft.side === "BUY";
  const resting = draft.type !== "MARKET";
  const timeInForce: TimeInForce = draft.timeInForce ?? "GTC";
  const typeLabel = TYPE_LABELS[draft.type];
  const tradable = asset.isTradable ?? true;

  return (
    <form className="card ticket" onSubmit={review} noValidate aria-label="Order ticket" data-testid="order-ticket">
      {assetPicker?.(serverErrors.fields.assetSymbol)}
      <div className="ticket-price">
        <span className="muted">{asset.name} price</span>
        <LivePrice value={asset.price} className="big" testId="ticket-price" />
      </div>
      <Segmented<Side>
        wide
        label="Side"
        value={draft.side}
        onChange={(side) => update({ side })}
        options={[
          { value: "BUY", label: "Buy", tone: "buy" },
          { value: "SELL", label: "Sell", tone: "sell" },
        ]}
      />
      <Segmented<OrderKind>
        wide
        label="Order type"
        value={draft.type}
        onChange={(type) => update({ type })}
        options={(Object.keys(TYPE_LABELS) as OrderKind[]).map((value) => ({ value, label: TYPE_LABELS[value] }))}
      />
      <Field
        label={`Quantity (${asset.symbol})`}
        {...amount("quantity")}
        placeholder="0.00"
        suffix={
          <button type="button" className="btn tiny ghost" onClick={fillMax}>
            Max
          </button>
        }
      />
      {usesStopPrice(draft.type) && (
        <Field
          label={`Stop price (USD per ${asset.symbol})`}
          {...amount("stopPrice")}
          placeholder={asset.price}
          hint={preview.triggersNow ? "The price is already there: this order triggers as soon as it is placed." : stopHint(draft.side, draft.type)}
        />
      )}
      {usesLimitPrice(draft.type) && (
        <Field
          label={`Limit price (USD per ${asset.symbol})`}
          {...amount("limitPrice")}
          placeholder={asset.price}
          hint={buying ? "Fills when the price falls to this or lower." : "Fills when the price rises to this or higher."}
        />
      )}
      {resting && (
        <div className={`field ${serverErrors.fields.timeInForce ? "has-error" : ""}`}>
          <label htmlFor="time-in-force">Time in force</label>
          <select id="time-in-force" name="timeInForce" value={timeInForce} onChange={(event) => update({ timeInForce: event.target.value as TimeInForce })}>
            <Options items={(Object.keys(TIME_IN_FORCE_LABELS) as TimeInForce[]).map((value) => ({ value, label: `${TIME_IN_FORCE_LABELS[value]} (${value})` }))} />
          </select>
          {serverErrors.fields.timeInForce && (
            <p className="field-error" role="alert" data-field="timeInForce">
              {serverErrors.fields.timeInForce}
            </p>
          )}
        </div>
      )}
      {resting && timeInForce === "GTD" && (
        <Field
          label="Expires at (your time)"
          name="expiresAt"
          type="datetime-local"
          value={draft.expiresAt ?? ""}
          onChange={(expiresAt) => update({ expiresAt })}
          error={fieldError("expiresAt")}
          hint="The order is cancelled as expired at this moment if it has not filled; at most 90 days ahead."
        />
      )}

      <dl className="preview" aria-label="Order preview" data-testid="order-preview">
        <Figure term={usesLimitPrice(draft.type) ? "Limit price" : draft.type === "STOP" ? "Stop price" : "Market price"}>{formatPrice(preview.price?.toFixed() ?? null)}</Figure>
        {resting && (
          <Figure term="Held while open" testId="preview-hold">
            {describeHold(preview.hold, asset.symbol)}
          </Figure>
        )}
        <Figure term={buying ? "Estimated cost" : "Estimated proceeds"} className="num strong" testId="preview-total">
          {formatUsd(preview.total?.toFixed(2) ?? null)}
        </Figure>
        <Figure term="Cash available">{formatUsd(cashAvailable)}</Figure>
        <Figure term="Cash after" className={`num ${preview.cashAfter?.lt(0) ? "down" : ""}`} testId="preview-cash-after">
          {formatUsd(preview.cashAfter?.toFixed(2) ?? null)}
        </Figure>
        <Figure term={`${asset.symbol} after`}>{preview.positionAfter ? formatQuantity(preview.positionAfter.toFixed()) : formatQuantity(positionAvailable ?? "0")}</Figure>
        <Figure term="Order limits" className="num small">
          {formatUsd("1.00")} – {formatUsd(maxOrderValue)}
        </Figure>
      </dl>

      <FormErrors messages={serverErrors.form} />
      {!tradable && <p className="banner warning">{asset.symbol} is not tradable at the moment.</p>}
      <button type="submit" className={`btn block large ${buying ? "buy" : "sell"}`} disabled={!preview.ready || !tradable}>
        Review {buying ? "buy" : "sell"} order
      </button>

      <Modal
        open={confirming !== null}
        title={`Confirm ${buying ? "buy" : "sell"} order`}
        onClose={() => setConfirming(null)}
        footer={
          <>
            <button type="button" className="btn ghost" onClick={() => setConfirming(null)} disabled={fetching}>
              Back
            </button>
            <button type="button" className={`btn ${buying ? "buy" : "sell"}`} onClick={submit} disabled={fetching} data-testid="confirm-order">
              {fetching ? "Placing…" : `Confirm ${buying ? "buy" : "sell"}`}
            </button>
          </>
        }
      >
        <dl className="confirm-list">
          <Figure term="Order" className={null}>
            {typeLabel} {buying ? "buy" : "sell"} · {asset.name}
            {resting ? ` · ${TIME_IN_FORCE_LABELS[timeInForce].toLowerCase()}` : ""}
          </Figure>
          {usesStopPrice(draft.type) && <Figure term="Stop price">{formatPrice(draft.stopPrice?.trim() || null)}</Figure>}
          <Figure term="Quantity">
            {formatQuantity(draft.quantity)} {asset.symbol}
          </Figure>
          <Figure term={usesLimitPrice(draft.type) ? "Limit price" : draft.type === "STOP" ? "Stop price" : "Price now"}>{formatPrice(preview.price?.toFixed() ?? null)}</Figure>
          <Figure term={buying ? "Estimated cost" : "Estimated proceeds"} className="num strong" testId="confirm-total">
            {formatUsd(preview.total?.toFixed(2) ?? null)}
          </Figure>
          <Figure term="Cash after">{formatUsd(preview.cashAfter?.toFixed(2) ?? null)}</Figure>
          {resting && (
            <Figure term="Held while open" testId="confirm-hold">
              {describeHold(preview.hold, asset.symbol)}
            </Figure>
          )}
        </dl>
        <p className="muted small">
          {draft.type === "MARKET"
            ? "A market order fills at the price when it reaches the exchange, which may differ slightly from this preview."
            : timeInForce === "IOC"
              ? "Immediate or cancel: it fills now if it can, otherwise it is cancelled at once and holds nothing."
              : draft.type === "STOP"
                ? "The order rests until the market reaches your stop, then executes at the market price of that moment (rejected if the account cannot pay then); what it needs is held until then."
                : "The order rests until the market reaches your price; what it needs is held until it fills, expires or you cancel it."}
        </p>
        <FormErrors messages={serverErrors.form} />
      </Modal>
    </form>
  );
}
