/**
 * Order outcomes the page that caused them reports itself (a market order's fill,
 * a cancel), so the live orderUpdates toast does not say them twice. The websocket
 * event can arrive before the mutation's answer, hence "pending" while in flight.
 */
const PENDING = "pending";
const told = new Map<string, string>();

function remember(key: string, status: string): void {
  told.set(key, status);
  if (told.size > 200) told.delete(told.keys().next().value as string);
}

/** The page is about to place or cancel this order and will report the outcome. */
export function reportingPending(key: string): void {
  remember(key, PENDING);
}

/** The page reported this status itself. */
export function reported(key: string, status: string): void {
  remember(key, status);
}

/** The request failed: nothing was reported, live updates may tell. */
export function reportingFailed(key: string): void {
  told.delete(key);
}

/** True when a live update for this order and status would repeat the page. */
export function alreadyReported(keys: ReadonlyArray<string | null>, status: string): boolean {
  return keys.some((key) => {
    if (!key) return false;
    const value = told.get(key);
    return value === PENDING || value === status;
  });
}

export const orderKey = (id: string) => `order:${id}`;
export const clientKey = (clientOrderId: string | null | undefined) => (clientOrderId ? `client:${clientOrderId}` : null);
