import type { CombinedError } from "@urql/core";
import { useState } from "react";
import { answerErrors, hasErrors, withoutField, type PlacedErrors, type UserErrorLike } from "../lib/errors";
import { useAuth } from "./AuthProvider";

/** What `register` and `login` answer alike: a session, or why there is none. */
interface AuthPayloadLike {
  token: string | null;
  expiresAt: string | null;
  errors: readonly UserErrorLike[];
}

/**
 * The two ways in (registering, signing in) share their form's state: text fields,
 * the errors placed on them (one goes once its field is edited), and what an
 * answer means. `failure` is the message when the request itself failed without
 * saying why.
 */
export function useAuthForm<F extends string>(fields: readonly F[], failure: string) {
  const { signIn } = useAuth();
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((name) => [name, ""])) as Record<F, string>);
  const [errors, setErrors] = useState<PlacedErrors>({ fields: {}, form: [] });

  const set = (name: F) => (value: string) => {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => withoutField(current, name));
  };

  /** What a <Field> for `name` takes from this form. */
  const bind = (name: F) => ({ name, value: values[name], onChange: set(name), error: errors.fields[name] });

  /** Starts the session the answer carries, or shows why it carries none. */
  const accept = (payload: AuthPayloadLike | null | undefined, error: CombinedError | undefined): boolean => {
    const placed = answerErrors(payload, error, failure, fields);
    setErrors(placed);
    if (!payload?.token || hasErrors(placed)) return false;
    signIn({ token: payload.token, expiresAt: payload.expiresAt });
    return true;
  };

  return { values, bind, errors, accept };
}
