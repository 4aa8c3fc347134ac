/** A urql client whose answers the test chooses, to render components without a server. */
import type { ReactNode } from "react";
import { Provider, type Client } from "urql";
import { fromValue, never } from "wonka";
import { vi } from "vitest";
import { ToastProvider } from "../components/Toasts";

export interface MockAnswers {
  query?: (operation: { query: unknown; variables: unknown }) => unknown;
  mutation?: (variables: Record<string, unknown>) => unknown;
}

export function mockClient(answers: MockAnswers = {}) {
  const executeMutation = vi.fn(({ variables }: { variables: Record<string, unknown> }) =>
    fromValue({ data: answers.mutation?.(variables), stale: false, hasNext: false }),
  );
  const executeQuery = vi.fn((operation: { query: unknown; variables: unknown }) =>
    answers.query ? fromValue({ data: answers.query(operation), stale: false, hasNext: false }) : never,
  );
  const executeSubscription = vi.fn(() => never);
  // client.mutation(...).toPromise(), as used outside hooks (sign-out, re-login).
  const mutation = vi.fn((query: unknown, variables: Record<string, unknown>) => ({
    toPromise: async () => ({ data: answers.mutation?.(variables), query }),
  }));
  const client = { executeMutation, executeQuery, executeSubscription, mutation } as unknown as Client;
  return { client, executeMutation, executeQuery, mutation };
}

export function withClient(client: Client) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <Provider value={client}>
        <ToastProvider>{children}</ToastProvider>
      </Provider>
    );
  };
}
