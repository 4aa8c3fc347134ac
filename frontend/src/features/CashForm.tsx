import { useRef, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { DepositMutation, WithdrawMutation } from "../api/operations";
import { Field, FormErrors } from "../components/Field";
import { useToasts } from "../components/Toasts";
import { decimalPlaces, formatUsd, isDecimalInput, toBig } from "../lib/decimal";
import { describeRequestError, placeErrors, type PlacedErrors } from "../lib/errors";
import { randomId } from "../lib/ids";

type Kind = "deposit" | "withdraw";

/** Checks an amount before sending: positive, cents at most, within what is left today (and available). */
export function checkAmount(amount: string, remaining: string | null, available: string | null, kind: Kind): string | null {
  const text = amount.trim();
  if (!text) return null;
  if (!isDecimalInput(text)) return "Enter an amount such as 250 or 99.95.";
  const value = toBig(text)!;
  if (value.lte(0)) return "The amount must be more than zero.";
  if (decimalPlaces(text) > 2) return "Amounts have at most two decimal places (cents).";
  const left = toBig(remaining);
  if (left && value.gt(left)) {
    return `That is over today's ${kind} limit: ${formatUsd(left)} remain until midnight UTC.`;
  }
  const cash = toBig(available);
  if (kind === "withdraw" && cash && value.gt(cash)) return `Only ${formatUsd(cash)} is available to withdraw.`;
  return null;
}

interface Props {
  kind: Kind;
  remaining: string | null;
  available: string | null;
}

const QUICK = ["100", "500", "1000"];

export function CashForm({ kind, remaining, available }: Props) {
  const { notify } = useToasts();
  const [amount, setAmount] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>({ fields: {}, form: [] });
  // One idempotency key per amount: a retry after a lost answer cannot move money twice.
  const attempt = useRef<{ amount: string; key: string } | null>(null);
  const [{ fetching: depositing }, deposit] = useMutation(DepositMutation);
  const [{ fetching: withdrawing }, withdraw] = useMutation(WithdrawMutation);
  const fetching = depositing || withdrawing;
  const check = checkAmount(amount, remaining, available, kind);
  const title = kind === "deposit" ? "Deposit" : "Withdraw";

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (check || !amount.trim()) return;
    const value = amount.trim();
    if (attempt.current?.amount !== value) attempt.current = { amount: value, key: randomId() };
    const input = { amount: value, idempotencyKey: attempt.current.key };
    const result = kind === "deposit" ? await deposit({ input }) : await withdraw({ input });
    const payload = result.data && ("deposit" in result.data ? result.data.deposit : result.data.withdraw);
    if (!payload) {
      setErrors({ fields: {}, form: [describeRequestError(result.error) ?? `The ${kind} was not sent.`] });
      return;
    }
    attempt.current = null;
    if (payload.errors.length) {
      setErrors(placeErrors(payload.errors, ["amount"]));
      return;
    }
    setErrors({ fields: {}, form: [] });
    setAmount("");
    notify({
      tone: "success",
      title: kind === "deposit" ? `Deposited ${formatUsd(value)}` : `Withdrew ${formatUsd(value)}`,
      body: payload.balance ? `Cash is now ${formatUsd(payload.balance.cash)}.` : undefined,
    });
  };

  return (
    <form className="card cash-form" onSubmit={onSubmit} noValidate aria-label={title} data-testid={`${kind}-form`}>
      <h2>{title}</h2>
      <Field
        label={`Amount to ${kind} (USD)`}
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={amount}
        onChange={(value) => {
          setAmount(value);
          setErrors({ fields: {}, form: [] });
        }}
        error={errors.fields.amount ?? check}
        hint={remaining ? `${formatUsd(remaining)} left today` : undefined}
      />
      <div className="quick">
        {QUICK.map((value) => (
          <button key={value} type="button" className="btn tiny ghost" onClick={() => setAmount(value)}>
            {formatUsd(value).replace(".00", "")}
          </button>
        ))}
      </div>
      <FormErrors messages={errors.form} />
      <button type="submit" className={`btn block ${kind === "deposit" ? "primary" : "ghost strong"}`} disabled={fetching || !!check || !amount.trim()}>
        {fetching ? "Working…" : title}
      </button>
    </form>
  );
}
