/**
 * Where Tokui's backend lives. UI extensions cannot read the app's environment at run time, so
 * the origin is baked in at build time: Shopify CLI's esbuild step replaces `process.env.APP_URL`
 * (the tunnel URL under `shopify app dev`; `.env` or the shell under `shopify app build|deploy`).
 * See docs/decisions/0008-extension-backend-url.md.
 */

// Module-scoped on purpose: the bundle has no `process`; esbuild's define replaces the
// expression below with a string literal, and nothing else of `process` is ever referenced.
declare const process: { env: { APP_URL?: string } };

/** The baked-in origin, or undefined when the build had none (the read throws in the sandbox). */
export function configuredAppUrl(): string | undefined {
  try {
    return process.env.APP_URL;
  } catch {
    return undefined;
  }
}

/**
 * `https://tokui.example.com/` → `https://tokui.example.com/api/post-purchase`. null for anything
 * a checkout page could not call: missing, not a URL, or plain http other than localhost (mixed
 * content). A path prefix is kept, for an app served under one.
 */
export function postPurchaseEndpoint(appUrl: string | null | undefined): string | null {
  if (!appUrl?.trim()) return null;
  let url: URL;
  try {
    url = new URL(appUrl.trim());
  } catch {
    return null;
  }
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) return null;
  if (url.username || url.password) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/api/post-purchase`;
}
