/**
 * Where the bearer token lives: in memory, with a copy in this tab's
 * sessionStorage so that a reload keeps the session, and nowhere else.
 *
 * Not localStorage: it outlives the tab and is shared by every tab, so a token
 * left there stays usable long after the person is gone. sessionStorage ends
 * with the tab. Not a cookie: the API authenticates with a bearer header and
 * the websocket's connection_init payload, not cookies. Script on the page can
 * read sessionStorage too, so the copy is dropped as soon as the token expires
 * or the person signs out (the server revokes it then as well).
 */

export interface Session {
  token: string;
  /** ISO-8601 expiry from the API, or null when unknown. */
  expiresAt: string | null;
}

export const STORAGE_KEY = "cnop.session";

function defaultStorage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.sessionStorage : null;
  } catch {
    return null; // storage disabled: memory only, a reload signs out
  }
}

/** The `exp` claim of a JWT, in milliseconds, or null. Only used when expiresAt is missing. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

export class TokenStore {
  private session: Session | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: Storage | null = defaultStorage(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds since the epoch at which the session ends, or null when unknown. */
  expiresAt(session: Session | null = this.session): number | null {
    if (!session) return null;
    const parsed = session.expiresAt ? Date.parse(session.expiresAt) : NaN;
    return Number.isNaN(parsed) ? jwtExpiry(session.token) : parsed;
  }

  private expired(session: Session): boolean {
    const at = this.expiresAt(session);
    return at !== null && at <= this.now();
  }

  /** Picks up this tab's session after a reload; an expired or unreadable one is dropped. */
  restore(): Session | null {
    let stored: Session | null = null;
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      const parsed = raw ? (JSON.parse(raw) as Partial<Session>) : null;
      if (parsed && typeof parsed.token === "string" && parsed.token) {
        stored = { token: parsed.token, expiresAt: typeof parsed.expiresAt === "string" ? parsed.expiresAt : null };
      }
    } catch {
      stored = null;
    }
    if (!stored || this.expired(stored)) {
      this.storage?.removeItem(STORAGE_KEY);
      stored = null;
    }
    this.session = stored;
    this.emit();
    return stored;
  }

  /** The session as held, without checking its expiry (for rendering). */
  peek(): Session | null {
    return this.session;
  }

  /** The session, or null once it has expired (which also forgets it). */
  get(): Session | null {
    if (this.session && this.expired(this.session)) this.clear();
    return this.session;
  }

  token(): string | null {
    return this.get()?.token ?? null;
  }

  set(session: Session): void {
    this.session = { token: session.token, expiresAt: session.expiresAt };
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.session));
    } catch {
      // storage full or disabled: the session still works until a reload
    }
    this.emit();
  }

  clear(): void {
    const had = this.session !== null;
    this.session = null;
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // nothing to remove
    }
    if (had) this.emit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export const tokenStore = new TokenStore();
