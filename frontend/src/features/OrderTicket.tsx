import { useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useMutation } from "urql";
import { PlaceOrderMutation } from "../api/operations";
import { Field, FormErrors } from "../components/Field";
import { LivePrice } from "../components/LivePrice";
import { Modal } from "../components/Modal";
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

function Segmented<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: Array<{ value: T; label: string; tone?: string }>; onChange: (value: T) => void }) {
  return (
    <div className="segmented wide" role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className={`${option.value === value ? "active" : ""} ${option.tone ?? ""}`}
          aria-pressed={option.value === value}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
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
        label="Side"
        value={draft.side}
        onChange={(side) => update({ side })}
        options={[
          { value: "BUY", label: "Buy", tone: "buy" },
          { value: "SELL", label: "Sell", tone: "sell" },
        ]}
      />
      <Segmented<OrderKind>
        label="Order type"
        value={draft.type}
        onChange={(type) => update({ type })}
        options={(Object.keys(TYPE_LABELS) as OrderKind[]).map((value) => ({ value, label: TYPE_LABELS[value] }))}
      />
      <Field
        label={`Quantity (${asset.symbol})`}
        name="quantity"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={draft.quantity}
        onChange={(quantity) => update({ quantity })}
        error={fieldError("quantity")}
        suffix={
          <button type="button" className="btn tiny ghost" onClick={fillMax}>
            Max
          </button>
        }
      />
      {usesStopPrice(draft.type) && (
        <Field
          label={`Stop price (USD per ${asset.symbol})`}
          name="stopPrice"
          inputMode="decimal"
          autoComplete="off"
          placeholder={asset.price}
          value={draft.stopPrice ?? ""}
          onChange={(stopPrice) => update({ stopPrice })}
          error={fieldError("stopPrice")}
          hint={preview.triggersNow ? "The price is already there: this order triggers as soon as it is placed." : stopHint(draft.side, draft.type)}
        />
      )}
      {usesLimitPrice(draft.type) && (
        <Field
          label={`Limit price (USD per ${asset.symbol})`}
          name="limitPrice"
          inputMode="decimal"
          autoComplete="off"
          placeholder={asset.price}
          value={draft.limitPrice}
          onChange={(limitPrice) => update({ limitPrice })}
          error={fieldError("limitPrice")}
          hint={buying ? "Fills when the price falls to this or lower." : "Fills when the price rises to this or higher."}
        />
      )}
      {resting && (
        <div className={`field ${serverErrors.fields.timeInForce ? "has-error" : ""}`}>
          <label htmlFor="time-in-force">Time in force</label>
          <select id="time-in-force" name="timeInForce" value={timeInForce} onChange={(event) => update({ timeInForce: event.target.value as TimeInForce })}>
            {(Object.keys(TIME_IN_FORCE_LABELS) as TimeInForce[]).map((value) => (
              <option key={value} value={value}>
                {TIME_IN_FORCE_LABELS[value]} ({value})
              </option>
            ))}
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
        <div>
          <dt>{usesLimitPrice(draft.type) ? "Limit price" : draft.type === "STOP" ? "Stop price" : "Market price"}</dt>
          <dd className="num">{formatPrice(preview.price?.toFixed() ?? null)}</dd>
        </div>
        {resting && (
          <div>
            <dt>Held while open</dt>
            <dd className="num" data-testid="preview-hold">
              {describeHold(preview.hold, asset.symbol)}
            </dd>
          </div>
        )}
        <div>
          <dt>{buying ? "Estimated cost" : "Estimated proceeds"}</dt>
          <dd className="num strong" data-testid="preview-total">
            {formatUsd(preview.total?.toFixed(2) ?? null)}
          </dd>
        </div>
        <div>
          <dt>Cash available</dt>
          <dd className="num">{formatUsd(cashAvailable)}</dd>
        </div>
        <div>
          <dt>Cash after</dt>
          <dd className={`num ${preview.cashAfter?.lt(0) ? "down" : ""}`} data-testid="preview-cash-after">
            {formatUsd(preview.cashAfter?.toFixed(2) ?? null)}
          </dd>
        </div>
        <div>
          <dt>{asset.symbol} after</dt>
          <dd className="num">{preview.positionAfter ? formatQuantity(preview.positionAfter.toFixed()) : formatQuantity(positionAvailable ?? "0")}</dd>
        </div>
        <div>
          <dt>Order limits</dt>
          <dd className="num small">
            {formatUsd("1.00")} – {formatUsd(maxOrderValue)}
          </dd>
        </div>
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
          <div>
            <dt>Order</dt>
            <dd>
              {typeLabel} {buying ? "buy" : "sell"} · {asset.name}
              {resting ? ` · ${TIME_IN_FORCE_LABELS[timeInForce].toLowerCase()}` : ""}
            </dd>
          </div>
          {usesStopPrice(draft.type) && (
            <div>
              <dt>Stop price</dt>
              <dd className="num">{formatPrice(draft.stopPrice?.trim() || null)}</dd>
            </div>
          )}
          <div>
            <dt>Quantity</dt>
            <dd className="num">
              {formatQuantity(draft.quantity)} {asset.symbol}
            </dd>
          </div>
          <div>
            <dt>{usesLimitPrice(draft.type) ? "Limit price" : draft.type === "STOP" ? "Stop price" : "Price now"}</dt>
            <dd className="num">{formatPrice(preview.price?.toFixed() ?? null)}</dd>
          </div>
          <div>
            <dt>{buying ? "Estimated cost" : "Estimated proceeds"}</dt>
            <dd className="num strong" data-testid="confirm-total">
              {formatUsd(preview.total?.toFixed(2) ?? null)}
            </dd>
          </div>
          <div>
            <dt>Cash after</dt>
            <dd className="num">{formatUsd(preview.cashAfter?.toFixed(2) ?? null)}</dd>
          </div>
          {resting && (
            <div>
              <dt>Held while open</dt>
              <dd className="num" data-testid="confirm-hold">
                {describeHold(preview.hold, asset.symbol)}
              </dd>
            </div>
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
