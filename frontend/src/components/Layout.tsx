import { useEffect } from "react";
import { NavLink, Outlet, useNavigate } from "react-router";
import { useQuery, useSubscription } from "urql";
import { OrderUpdatesSubscription, PriceAlertsSubscription, ViewerQuery } from "../api/operations";
import { useAuth } from "../auth/AuthProvider";
import { describeAlert, firstTimeFired } from "../lib/alerts";
import { alreadyReported, clientKey, orderKey } from "../lib/announced";
import { formatPrice, formatQuantity, formatUsd } from "../lib/decimal";
import { useToasts } from "./Toasts";

function Brand() {
  return (
    <NavLink to="/" className="brand" aria-label="cnop home">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--panel-2)" />
        <path d="M6 22l6-7 5 4 9-11" fill="none" stroke="var(--up)" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span>cnop</span>
      <small>paper trading</small>
    </NavLink>
  );
}

function SocketBadge() {
  const { socketStatus } = useAuth();
  const text = { idle: "Idle", connecting: "Connecting", live: "Live", reconnecting: "Reconnecting…" }[socketStatus];
  return (
    <span className={`socket ${socketStatus}`} title="Live updates over the websocket" data-testid="socket-status">
      <span className="dot" />
      {text}
    </span>
  );
}

/** Toasts for the signed-in user's orders changing state (a limit order filling, a cancel). */
function OrderUpdates() {
  const { notify } = useToasts();
  const [{ data }] = useSubscription({ query: OrderUpdatesSubscription });
  const order = data?.orderUpdates;
  useEffect(() => {
    if (!order || alreadyReported([orderKey(order.id), clientKey(order.clientOrderId)], order.status)) return;
    const kind = { MARKET: "Market", LIMIT: "Limit", STOP: "Stop", STOP_LIMIT: "Stop-limit" }[order.type];
    const what = `${kind} ${order.side.toLowerCase()} of ${formatQuantity(order.quantity)} ${order.asset.symbol}`;
    if (order.status === "FILLED") {
      notify({ tone: "success", title: `${what} filled`, body: `at ${formatPrice(order.executedPrice)} · ${formatUsd(order.total)}` });
    } else if (order.status === "CANCELLED") {
      notify({ tone: "info", title: `${what} cancelled` });
    } else if (order.status === "REJECTED") {
      notify({ tone: "error", title: `${what} rejected` });
    } else if (order.status === "EXPIRED") {
      notify({ tone: "info", title: `${what} expired`, body: "What it held is released." });
    } else if (order.status === "OPEN" && order.triggeredAt) {
      notify({ tone: "info", title: `${what} triggered`, body: `It now rests as a limit order at ${formatPrice(order.limitPrice)}.` });
    }
  }, [order, notify]);
  return null;
}

/** A toast when one of the signed-in user's price alerts fires, wherever they are. */
function AlertToasts() {
  const { notify } = useToasts();
  const [{ data }] = useSubscription({ query: PriceAlertsSubscription });
  const alert = data?.priceAlerts;
  useEffect(() => {
    if (!alert || !firstTimeFired(alert.id)) return;
    notify({
      tone: "info",
      title: `Price alert: ${describeAlert(alert.asset.symbol, alert.condition, alert.price)}`,
      body: alert.triggeredPrice ? `${alert.asset.symbol} is at ${formatPrice(alert.triggeredPrice)}` : undefined,
    });
  }, [alert, notify]);
  return null;
}

export function Layout() {
  const { signedIn, signOut, notice, dismissNotice } = useAuth();
  const navigate = useNavigate();
  const [{ data }] = useQuery({ query: ViewerQuery, pause: !signedIn });
  const me = signedIn ? data?.me : null;

  const onSignOut = async () => {
    // Leave the signed-in page first: once the token is gone, its RequireAuth would
    // redirect to /login on its own, racing this navigation and dropping its state.
    navigate("/login", { replace: true, state: { signedOut: true } });
    await signOut();
  };

  return (
    <div className="app">
      <header className="topbar">
        <Brand />
        <nav className="mainnav" aria-label="Main">
          <NavLink to="/market">Markets</NavLink>
          {signedIn && (
            <>
              <NavLink to="/dashboard">Dashboard</NavLink>
              <NavLink to="/trade">Trade</NavLink>
              <NavLink to="/portfolio">Portfolio</NavLink>
              <NavLink to="/account">Account</NavLink>
              <NavLink to="/alerts">Alerts</NavLink>
            </>
          )}
        </nav>
        <div className="topbar-right">
          <SocketBadge />
          {signedIn ? (
            <>
              {me && (
                <span className="cash-chip num" title="Cash available" data-testid="cash-chip">
                  {formatUsd(me.balance.available)}
                </span>
              )}
              <NavLink to="/profile" className="user-chip" data-testid="user-chip">
                {me?.username ?? "Profile"}
              </NavLink>
              <button type="button" className="btn small ghost" onClick={onSignOut}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login" className="btn small ghost">
                Sign in
              </NavLink>
              <NavLink to="/register" className="btn small primary">
                Create account
              </NavLink>
            </>
          )}
        </div>
      </header>
      {notice && (
        <div className="banner warning notice" role="alert">
          <p>{notice}</p>
          <button type="button" className="btn small ghost" onClick={dismissNotice}>
            Dismiss
          </button>
        </div>
      )}
      {signedIn && <OrderUpdates />}
      {signedIn && <AlertToasts />}
      <main className="content">
        <Outlet />
      </main>
      <footer className="footer">
        <span>Paper trading only: no real money moves. Prices are simulated or delayed.</span>
        <a href="/graphql">GraphQL API</a>
      </footer>
    </div>
  );
}
