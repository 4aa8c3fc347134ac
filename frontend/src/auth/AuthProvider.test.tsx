import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ApiClient, ApiClientOptions } from "../api/client";
import { mockClient } from "../test/urql";
import { AuthProvider, useAuth } from "./AuthProvider";
import { STORAGE_KEY, TokenStore } from "./tokenStore";

const later = new Date(Date.now() + 3_600_000).toISOString();

function Probe() {
  const { token, signIn, signOut, notice } = useAuth();
  return (
    <div>
      <span data-testid="token">{token ?? "none"}</span>
      <span data-testid="notice">{notice ?? ""}</span>
      <button onClick={() => signIn({ token: "tok-1", expiresAt: later })}>sign in</button>
      <button onClick={() => void signOut()}>sign out</button>
    </div>
  );
}

function setup() {
  const store = new TokenStore(sessionStorage);
  const mock = mockClient({ mutation: () => ({ logout: { __typename: "LogoutPayload", success: true, errors: [] } }) });
  const created: ApiClientOptions[] = [];
  const dispose = vi.fn();
  const createClient = (options: ApiClientOptions): ApiClient => {
    created.push(options);
    return { client: mock.client, socket: {} as ApiClient["socket"], dispose };
  };
  render(
    <AuthProvider store={store} createClient={createClient}>
      <Probe />
    </AuthProvider>,
  );
  return { store, mock, created };
}

describe("AuthProvider", () => {
  it("signs in into memory (and this tab's sessionStorage), with a client that sends the token", async () => {
    const { created } = setup();
    expect(screen.getByTestId("token")).toHaveTextContent("none");
    await userEvent.click(screen.getByText("sign in"));
    expect(screen.getByTestId("token")).toHaveTextContent("tok-1");
    expect(JSON.parse(sessionStorage.getItem(STORAGE_KEY)!).token).toBe("tok-1");
    expect(localStorage.length).toBe(0);
    // A new client for the new session, reading the token on every request.
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(created[created.length - 1].getToken()).toBe("tok-1");
  });

  it("signs out by calling logout with the token, then forgets it", async () => {
    const { mock } = setup();
    await userEvent.click(screen.getByText("sign in"));
    await userEvent.click(screen.getByText("sign out"));
    expect(mock.mutation).toHaveBeenCalledTimes(1);
    const document = mock.mutation.mock.calls[0][0] as { definitions: Array<{ name: { value: string } }> };
    expect(document.definitions[0].name.value).toBe("Logout");
    expect(screen.getByTestId("token")).toHaveTextContent("none");
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("ends the session when the server refuses the token", async () => {
    const { created } = setup();
    await userEvent.click(screen.getByText("sign in"));
    act(() => created[created.length - 1].onUnauthenticated());
    expect(screen.getByTestId("token")).toHaveTextContent("none");
    expect(screen.getByTestId("notice")).toHaveTextContent("Your session has ended");
  });
});
