import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { ClaimRedPocketMutation } from "../api/operations";
import { Field, FormErrors } from "../components/Field";
import { Modal } from "../components/Modal";
import { formatUsd, toBig } from "../lib/decimal";
import { answerErrors, hasErrors, type PlacedErrors } from "../lib/errors";

interface Outcome {
  amount: string;
  lucky: boolean;
}

export function outcomeMessage(outcome: Outcome): { title: string; body: string } {
  const amount = toBig(outcome.amount);
  if (outcome.lucky) {
    return { title: `You found a red pocket: ${formatUsd(outcome.amount)}!`, body: "It is in your cash balance already. Gong xi fa cai!" };
  }
  if (amount && amount.gt(0)) {
    return { title: `Not this time, but here is ${formatUsd(outcome.amount)}`, body: "A consolation red pocket, once a day. Try another phrase tomorrow." };
  }
  return { title: "Not this time", body: "Today's consolation red pocket is already yours. Keep guessing!" };
}

function RedEnvelope() {
  return (
    <svg className="red-pocket-art" viewBox="0 0 80 104" width="80" height="104" aria-hidden="true">
      <rect x="2" y="2" width="76" height="100" rx="10" fill="#c8102e" />
      <path d="M2 30 Q40 58 78 30 V12 Q78 2 68 2 H12 Q2 2 2 12 Z" fill="#a50d25" />
      <circle cx="40" cy="46" r="14" fill="#f5c542" />
      <circle cx="40" cy="46" r="9" fill="none" stroke="#c8102e" strokeWidth="2.5" />
      <rect x="36" y="42" width="8" height="8" fill="#c8102e" />
    </svg>
  );
}

/** The Chinese New Year game: guess a secret phrase for a red pocket. */
export function RedPocketModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [phrase, setPhrase] = useState("");
  const [errors, setErrors] = useState<PlacedErrors>({ fields: {}, form: [] });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching }, claim] = useMutation(ClaimRedPocketMutation);

  const close = () => {
    setPhrase("");
    setErrors({ fields: {}, form: [] });
    setOutcome(null);
    onClose();
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({ fields: {}, form: [] });
    const result = await claim({ phrase: phrase.trim() });
    const payload = result.data?.claimRedPocket;
    const placed = answerErrors(payload, result.error, "The guess was not sent.", ["phrase"]);
    if (!payload || hasErrors(placed)) {
      setErrors(placed);
      return;
    }
    setOutcome({ amount: payload.amount ?? "0.00", lucky: payload.gotRedPocket ?? false });
  };

  const message = outcome ? outcomeMessage(outcome) : null;
  return (
    <Modal open={open} title="Red pocket" onClose={close}>
      <div className="red-pocket">
        <RedEnvelope />
        {message ? (
          <div className="red-pocket-result" role="status" data-testid="red-pocket-result">
            <h3>{message.title}</h3>
            <p>{message.body}</p>
            <button type="button" className="btn primary" onClick={close}>
              Close
            </button>
          </div>
        ) : (
          <form onSubmit={onSubmit} noValidate>
            <p>Guess the secret phrase of the season to open a red pocket. A wrong guess still earns a small one, once a day.</p>
            <FormErrors messages={errors.form} />
            <Field label="Your guess" name="phrase" value={phrase} onChange={setPhrase} error={errors.fields.phrase} autoComplete="off" placeholder="Your guess" />
            <button type="submit" className="btn red block" disabled={fetching || !phrase.trim()}>
              {fetching ? "Opening…" : "Open the red pocket"}
            </button>
          </form>
        )}
      </div>
    </Modal>
  );
}
