import { parsePostPurchaseView, type Locale, type PostPurchaseView } from "./post-purchase";

export interface PostPurchaseRequest {
  /** The host's GID: gid://shopify/OrderIdentity/<n> (thank-you) or gid://shopify/Order/<n>. */
  orderId: string;
  locale: Locale;
}

export interface LoadDeps {
  fetch: typeof fetch;
  /** Asked again before every attempt: tokens live five minutes and the host caches them. */
  getToken: () => Promise<string>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Where quiet failures are reported; never the shopper's screen. */
  warn?: (message: string, detail?: unknown) => void;
}

/** 202 means the order is not known yet (webhook late): wait 1 s, 2 s, 4 s, then give up. */
export const PENDING_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000];

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * The view for one order, or null for anything else: 401/404/429/5xx, a network error, a body
 * that does not parse, an abort, or still pending after the last retry. Never throws — the
 * thank-you page must not break because Tokui is down.
 */
export async function loadPostPurchase(
  endpoint: string,
  request: PostPurchaseRequest,
  deps: LoadDeps,
  delays: readonly number[] = PENDING_RETRY_DELAYS_MS,
): Promise<PostPurchaseView | null> {
  const { signal, warn = () => {} } = deps;
  const wait = deps.sleep ?? sleep;
  const body = JSON.stringify({ orderId: request.orderId, locale: request.locale });
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) return null;
    let response: Response;
    try {
      const token = await deps.getToken();
      response = await deps.fetch(endpoint, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body,
        signal,
      });
    } catch (error) {
      if (!signal?.aborted) warn("Tokui: post-purchase request failed", error);
      return null;
    }
    if (response.status === 202) {
      const delay = delays[attempt];
      if (delay === undefined) {
        warn("Tokui: order still pending, giving up");
        return null;
      }
      await wait(delay, signal);
      continue;
    }
    if (response.status !== 200) {
      warn(`Tokui: post-purchase answered ${response.status}`);
      return null;
    }
    try {
      const view = parsePostPurchaseView(await response.json());
      if (view === null) warn("Tokui: unexpected post-purchase body");
      return view;
    } catch (error) {
      if (!signal?.aborted) warn("Tokui: unreadable post-purchase body", error);
      return null;
    }
  }
}
