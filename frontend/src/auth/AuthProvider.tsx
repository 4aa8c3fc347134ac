/**
 * The signed-in state: which token, the urql client built for it, sign-in and
 * sign-out. A new token gets a new client (and websocket), so nothing cached
 * for one person is ever shown to the next.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { Provider as UrqlProvider } from "urql";
import { createApiClient, type ApiClient, type ApiClientOptions, type SocketStatus } from "../api/client";
import { LogoutMutation } from "../api/operations";
import { tokenStore as defaultStore, type Session, type TokenStore } from "./tokenStore";

export interface AuthValue {
  token: string | null;
  signedIn: boolean;
  /** Why the last session ended, when it was not the person's choice. */
  notice: string | null;
  socketStatus: SocketStatus;
  signIn: (session: Session) => void;
  /** Revokes the token on the server (logout), then forgets it here. */
  signOut: () => Promise<void>;
  dismissNotice: () => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth needs an <AuthProvider>");
  return value;
}

const MAX_TIMER_MS = 2_147_483_647;

interface Props {
  children: ReactNode;
  store?: TokenStore;
  createClient?: (options: ApiClientOptions) => ApiClient;
}

export function AuthProvider({ children, store = defaultStore, createClient = createApiClient }: Props) {
  const session = useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => store.peek(),
  );
  const token = session?.token ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [socketStatus, setSocketStatus] = useState<SocketStatus>("idle");

  const endSession = useCallback(
    (why: string) => {
      if (store.get() === null) return;
      store.clear();
      setNotice(why);
    },
    [store],
  );

  const api = useMemo(
    () =>
      createClient({
        getToken: () => store.token(),
        onUnauthenticated: () => endSession("Your session has ended. Please sign in again."),
        onSocketStatus: setSocketStatus,
      }),
    // One client per token: its cache and websocket belong to that session.
    [token, store, createClient, endSession],
  );

  // Dispose a client once another has replaced it (not on a StrictMode re-run).
  const current = useRef(api);
  useEffect(() => {
    current.current = api;
    return () => {
      setTimeout(() => {
        if (current.current !== api) api.dispose();
      }, 0);
    };
  }, [api]);

  // Forget the token the moment it expires.
  useEffect(() => {
    const at = store.expiresAt(session);
    if (at === null) return;
    const timer = setTimeout(
      () => endSession("Your session expired. Please sign in again."),
      Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS),
    );
    return () => clearTimeout(timer);
  }, [session, store, endSession]);

  const signIn = useCallback(
    (next: Session) => {
      setNotice(null);
      store.set(next);
    },
    [store],
  );

  const signOut = useCallback(async () => {
    if (store.token()) {
      try {
        await api.client.mutation(LogoutMutation, {}, { requestPolicy: "network-only" }).toPromise();
      } catch {
        // Offline: the token is forgotten here all the same and expires on its own.
      }
    }
    store.clear();
    setNotice(null);
  }, [api, store]);

  const value = useMemo<AuthValue>(
    () => ({
      token,
      signedIn: token !== null,
      notice,
      socketStatus,
      signIn,
      signOut,
      dismissNotice: () => setNotice(null),
    }),
    [token, notice, socketStatus, signIn, signOut],
  );

  return (
    <AuthContext.Provider value={value}>
      <UrqlProvider value={api.client}>{children}</UrqlProvider>
    </AuthContext.Provider>
  );
}
