/**
 * Turning what the API answers into messages placed where a person looks.
 * Business failures arrive in a payload's `errors: [UserError]`, each naming the
 * input field at fault (in the input's own spelling) or none; transport and
 * authorisation problems arrive as top-level GraphQL errors or network errors.
 */
import type { CombinedError } from "@urql/core";

export interface UserErrorLike {
  code: string;
  field?: string | null;
  message: string;
}

export interface PlacedErrors {
  /** Messages by field name, for fields the form shows. */
  fields: Record<string, string>;
  /** Messages for the form as a whole: no field, or a field the form does not show. */
  form: string[];
}

/** "input.limitPrice" and "limitPrice" both name the limitPrice field. */
function fieldName(field: string | null | undefined): string | null {
  if (!field) return null;
  const last = field.split(".").pop() ?? field;
  return last.trim() || null;
}

/** Puts each UserError next to the field it names, when the form has that field. */
export function placeErrors(errors: readonly UserErrorLike[] | null | undefined, knownFields: readonly string[]): PlacedErrors {
  const placed: PlacedErrors = { fields: {}, form: [] };
  for (const error of errors ?? []) {
    const name = fieldName(error.field);
    if (name && knownFields.includes(name)) {
      placed.fields[name] = placed.fields[name] ? `${placed.fields[name]} ${error.message}` : error.message;
    } else {
      placed.form.push(error.message);
    }
  }
  return placed;
}

/** The errors a mutation's answer leaves to show: when there is no payload, the
 * request's failure (`failure` when it does not say why); otherwise the payload's
 * UserErrors placed by field, none when it succeeded. */
export function answerErrors(
  payload: { errors: readonly UserErrorLike[] } | null | undefined,
  error: CombinedError | undefined,
  failure: string,
  knownFields: readonly string[],
): PlacedErrors {
  if (!payload) return { fields: {}, form: [describeRequestError(error) ?? failure] };
  return placeErrors(payload.errors, knownFields);
}

/** The same errors less the one for a field the person has just edited. */
export function withoutField(placed: PlacedErrors, name: string): PlacedErrors {
  if (!(name in placed.fields)) return placed;
  const fields = { ...placed.fields };
  delete fields[name];
  return { fields, form: placed.form };
}

export function hasErrors(placed: PlacedErrors): boolean {
  return placed.form.length > 0 || Object.keys(placed.fields).length > 0;
}

/** The top-level error code (extensions.code) of the first GraphQL error that has one. */
export function errorCode(error: CombinedError | undefined | null): string | null {
  for (const graphQLError of error?.graphQLErrors ?? []) {
    const code = graphQLError.extensions?.code;
    if (typeof code === "string") return code;
  }
  return null;
}

/** One sentence for a failed request, for a banner. */
export function describeRequestError(error: CombinedError | undefined | null): string | null {
  if (!error) return null;
  if (error.networkError) return "Can't reach the server. Check your connection; we'll keep trying.";
  const code = errorCode(error);
  switch (code) {
    case "UNAUTHENTICATED":
      return "Your session has ended. Please sign in again.";
    case "RATE_LIMITED": {
      const retry = error.graphQLErrors[0]?.extensions?.retryAfter;
      return typeof retry === "number"
        ? `Too many requests. Try again in ${Math.ceil(retry)} s.`
        : "Too many requests. Try again in a moment.";
    }
    case "QUERY_TOO_COMPLEX":
      return "That request was too large for the server.";
    case "INSIGHTS_UNAVAILABLE":
      return "Insights are unavailable right now.";
    default:
      return "Something went wrong on our side. Please try again.";
  }
}
