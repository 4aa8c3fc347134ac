import { beforeEach, describe, expect, it, vi } from "vitest";
import { jwtExpiry, STORAGE_KEY, TokenStore } from "./tokenStore";

const NOW = Date.parse("2026-11-28T09:00:00Z");
const later = "2026-11-28T10:00:00+00:00";
const earlier = "2026-11-28T08:00:00+00:00";

function jwt(payload: object): string {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "HS256" })}.${encode(payload)}.signature`;
}

describe("TokenStore", () => {
  let store: TokenStore;
  beforeEach(() => {
    store = new TokenStore(sessionStorage, () => NOW);
  });

  it("keeps the token in memory and a copy in this tab's sessionStorage only", () => {
    store.set({ token: "abc", expiresAt: later });
    expect(store.token()).toBe("abc");
    expect(JSON.parse(sessionStorage.getItem(STORAGE_KEY)!)).toEqual({ token: "abc", expiresAt: later });
    expect(localStorage.length).toBe(0);
    expect(document.cookie).toBe("");
  });

  it("restores the session after a reload", () => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: "abc", expiresAt: later }));
    const reloaded = new TokenStore(sessionStorage, () => NOW);
    expect(reloaded.token()).toBeNull();
    expect(reloaded.restore()?.token).toBe("abc");
    expect(reloaded.token()).toBe("abc");
  });

  it("drops an expired or unreadable session instead of restoring it", () => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: "old", expiresAt: earlier }));
    expect(store.restore()).toBeNull();
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull();
    sessionStorage.setItem(STORAGE_KEY, "{not json");
    expect(store.restore()).toBeNull();
  });

  it("forgets a token once it expires", () => {
    let now = NOW;
    const clocked = new TokenStore(sessionStorage, () => now);
    clocked.set({ token: "abc", expiresAt: later });
    now = Date.parse(later) + 1;
    expect(clocked.token()).toBeNull();
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("falls back to the JWT's exp claim", () => {
    const token = jwt({ exp: Date.parse(later) / 1000 });
    expect(jwtExpiry(token)).toBe(Date.parse(later));
    expect(jwtExpiry("garbage")).toBeNull();
    store.set({ token, expiresAt: null });
    expect(store.expiresAt()).toBe(Date.parse(later));
  });

  it("clears everything on sign-out and tells its listeners", () => {
    const listener = vi.fn();
    store.subscribe(listener);
    store.set({ token: "abc", expiresAt: later });
    store.clear();
    expect(store.token()).toBeNull();
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("works with storage disabled (memory only)", () => {
    const memoryOnly = new TokenStore(null, () => NOW);
    memoryOnly.set({ token: "abc", expiresAt: later });
    expect(memoryOnly.token()).toBe("abc");
    expect(memoryOnly.restore()).toBeNull();
  });
});
