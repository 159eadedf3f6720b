/**
 * A stand-in for the host: the `shopify` global of each target (signals from @preact/signals, as
 * the real host hands them after `@shopify/ui-extensions/preact` calls setSignals), translations
 * read from the extension's own locale files, and helpers to mount the real entry modules.
 */
import { signal, type Signal } from "@preact/signals";
import { render } from "preact";
import { vi } from "vitest";
import orderStatusEn from "../../extensions/order-status/locales/en.default.json";
import orderStatusJa from "../../extensions/order-status/locales/ja.json";
import orderStatusEntry from "../../extensions/order-status/src/OrderStatus";
import thankYouEn from "../../extensions/thank-you/locales/en.default.json";
import thankYouJa from "../../extensions/thank-you/locales/ja.json";
import thankYouEntry from "../../extensions/thank-you/src/ThankYou";

/**
 * The host's remote DOM defines its elements with `on<event>` properties, which is how Preact
 * knows `onCopyError` means the "copyerror" event. happy-dom knows only standard ones (oncopy),
 * so the clipboard item gets the same shape here.
 */
if (!customElements.get("s-clipboard-item")) {
  customElements.define(
    "s-clipboard-item",
    class extends HTMLElement {
      oncopyerror: ((event: Event) => void) | null = null;
    },
  );
}

export type Surface = "thank-you" | "order-status";
export const SURFACES: Surface[] = ["thank-you", "order-status"];

export const APP_URL = "https://tokui.example.com";
export const ENDPOINT = `${APP_URL}/api/post-purchase`;
export const TOKEN = "header.payload.signature";

const LOCALES = {
  "thank-you": { en: thankYouEn, ja: thankYouJa },
  "order-status": { en: orderStatusEn, ja: orderStatusJa },
};
const ENTRIES = { "thank-you": thankYouEntry, "order-status": orderStatusEntry };

export const orderGid = (surface: Surface, n = 820982911946154500) =>
  surface === "thank-you" ? `gid://shopify/OrderIdentity/${n}` : `gid://shopify/Order/${n}`;

/** Shopify's translate: nested keys, {{name}} replacements. A missing key fails the test. */
function translator(messages: object) {
  return (key: string, replacements: Record<string, string | number> = {}) => {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
    if (typeof value !== "string") throw new Error(`missing translation: ${key}`);
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(replacements[name] ?? ""));
  };
}

export interface Host {
  surface: Surface;
  /** The order the host reports; set it to simulate the order arriving later. */
  order: Signal<string | undefined>;
  getToken: ReturnType<typeof vi.fn>;
}

export function installShopify(opts: { surface: Surface; language: string; timeZone?: string; orderId?: string | null }): Host {
  const { surface, language } = opts;
  const orderId = opts.orderId === null ? undefined : (opts.orderId ?? orderGid(surface));
  const order = signal<string | undefined>(orderId);
  const getToken = vi.fn(async () => TOKEN);
  const extensionLanguage = language.toLowerCase().startsWith("ja") ? "ja" : "en";
  const localization = {
    language: signal({ isoCode: language }),
    extensionLanguage: signal({ isoCode: extensionLanguage }),
    timezone: signal(opts.timeZone ?? "Asia/Tokyo"),
  };
  const common = {
    localization,
    sessionToken: { get: getToken },
    i18n: { translate: translator(LOCALES[surface][extensionLanguage]) },
  };
  // Computed signals mirror the host's shapes: orderConfirmation.value.order.id / order.value.id.
  const shopify =
    surface === "thank-you"
      ? {
          ...common,
          orderConfirmation: {
            get value() {
              return order.value === undefined ? undefined : { order: { id: order.value }, isFirstOrder: false };
            },
          },
        }
      : {
          ...common,
          order: {
            get value() {
              return order.value === undefined ? undefined : { id: order.value, name: "#1001" };
            },
          },
        };
  vi.stubGlobal("shopify", shopify);
  return { surface, order, getToken };
}

/** Runs the extension's default export, as Shopify does after `shopify.extend(target, …)`. */
export async function mount(surface: Surface): Promise<void> {
  await ENTRIES[surface]();
}

export function unmount(): void {
  render(null, document.body);
}

/** JSON response helper for the fetch stub. */
export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** What the shopper would read: the block's text with whitespace collapsed. */
export const visibleText = () => (document.body.textContent ?? "").replace(/\s+/g, " ").trim();
