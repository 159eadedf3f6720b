/**
 * The local demo shop: lets a newcomer without a Shopify store watch Tokui work (scripts/demo.ts
 * sends it signed webhooks; /demo shows the merchant pages). Three locks keep it out of
 * production, where the app always has a public https SHOPIFY_APP_URL:
 *  1. TOKUI_DEMO=1 must be set explicitly;
 *  2. SHOPIFY_APP_URL must be a loopback address (env.server.ts refuses to start otherwise);
 *  3. each request must come to a loopback host (its Host header: a client's word);
 *  4. `npm start` binds 127.0.0.1 with TOKUI_DEMO=1 and refuses any other HOST (scripts/serve.mjs).
 */
export const DEMO_SHOP = "tokui-demo.myshopify.com";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export function demoEnabled(request: Request, environment: Record<string, string | undefined> = process.env): boolean {
  return (
    environment.TOKUI_DEMO === "1" &&
    isLoopbackUrl(environment.SHOPIFY_APP_URL ?? "") &&
    isLoopbackUrl(request.url)
  );
}

/** Loaders of demo pages call this first: anything but the local demo gets a plain 404. */
export function requireDemo(request: Request): void {
  if (!demoEnabled(request)) throw new Response("Not Found", { status: 404 });
}
