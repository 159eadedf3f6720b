/**
 * Renders blocks/rank-badge.liquid with liquidjs, standing in for Shopify's storefront renderer.
 *
 * Stubs for what only Shopify has, modelled on its documented behaviour:
 * - `t`: the extension's own locale files; a `count` argument picks the CLDR plural form (en:
 *   one/other, ja: other); keys ending in _html are not escaped, other keys are (what Shopify does
 *   to translations, so a test fails if a value that needs escaping is passed to a plain key);
 * - `money`: an integer amount in hundredths of the currency unit for every currency, JPY
 *   included, formatted with the presentment currency's format (cart.currency); a non-integer
 *   input throws, as an unrounded amount would print garbage on Shopify;
 * - `handleize`, `asset_url`, `stylesheet_tag`; `{% schema %}` renders nothing.
 * Liquid semantics that matter here are the same in liquidjs: nil and false are the only falsy
 * values (an empty string is truthy), `blank` comparisons, `{% liquid %}`, named filter arguments.
 */
import { Liquid, Tag, type Context, type Emitter, type TagToken, type TopLevelToken } from "liquidjs";
import { Window } from "happy-dom";
import { blockSchema, blockSource, readLocale, type Json, type JsonObject } from "./extension";

export type Locale = "en" | "ja";

/** Money formats of the test shops ("HTML without currency"), by ISO code. */
export const MONEY_FORMATS: Record<string, string> = {
  JPY: "¥{{amount_no_decimals}}",
  USD: "${{amount}}",
  EUR: "€{{amount_with_comma_separator}}",
};

export interface RankMetafields {
  rank?: string;
  rank_label?: string;
  order_count?: number;
  next_rank?: string;
  next_rank_label?: string;
  orders_to_next?: number;
  amount_to_next?: number;
}

export interface RenderOptions {
  locale?: Locale;
  /** undefined or null: not logged in. */
  customer?: { first_name?: string; metafields: RankMetafields } | null;
  settings?: Record<string, Json | undefined>;
  shopCurrency?: string;
  /** The visitor's currency (cart.currency); defaults to the shop currency. */
  presentmentCurrency?: string;
  /** Override the money format of the presentment currency (e.g. with HTML). */
  moneyFormat?: string;
  designMode?: boolean;
}

const locales: Record<Locale, JsonObject> = { en: readLocale("en.default.json"), ja: readLocale("ja.json") };

class SchemaTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    while (remainTokens.length > 0) {
      const next = remainTokens.shift() as TopLevelToken & { name?: string };
      if (next.name === "endschema") return;
    }
    throw new Error("{% schema %} is not closed");
  }
  render(_ctx: Context, _emitter: Emitter): void {}
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

function formatMoney(cents: unknown, format: string): string {
  if (typeof cents !== "number" || !Number.isInteger(cents)) {
    throw new Error(`money expects an integer amount in hundredths, got ${String(cents)}`);
  }
  const group = (digits: string, separator: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  const units = Math.floor(Math.abs(cents) / 100);
  const hundredths = String(Math.abs(cents) % 100).padStart(2, "0");
  const sign = cents < 0 ? "-" : "";
  const values: Record<string, string> = {
    amount: `${sign}${group(String(units), ",")}.${hundredths}`,
    amount_no_decimals: `${sign}${group(String(Math.round(Math.abs(cents) / 100)), ",")}`,
    amount_with_comma_separator: `${sign}${group(String(units), ".")},${hundredths}`,
  };
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => values[name] ?? "");
}

function translate(locale: Locale, key: string, args: [string, unknown][]): string {
  const named = Object.fromEntries(args);
  let node: Json | undefined = locales[locale];
  for (const part of key.split(".")) {
    node = node !== null && typeof node === "object" && !Array.isArray(node) ? node[part] : undefined;
  }
  if (node !== null && typeof node === "object" && !Array.isArray(node) && "count" in named) {
    const form = locale === "en" && Number(named.count) === 1 ? "one" : "other";
    node = node[form];
  }
  if (typeof node !== "string") return `translation missing: ${locale}.${key}`;
  const html = key.endsWith("_html");
  const text = node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(named[name] ?? ""));
  return html ? text : escapeHtml(text);
}

export function createEngine(options: RenderOptions): Liquid {
  const locale = options.locale ?? "en";
  const presentment = options.presentmentCurrency ?? options.shopCurrency ?? "JPY";
  const format = options.moneyFormat ?? MONEY_FORMATS[presentment];
  if (!format) throw new Error(`no money format for ${presentment}`);

  const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true });
  engine.registerTag("schema", SchemaTag);
  engine.registerFilter("t", (key: string, ...args: [string, unknown][]) => translate(locale, key, args));
  engine.registerFilter("money", (cents: unknown) => formatMoney(cents, format));
  engine.registerFilter("handleize", (text: unknown) =>
    String(text ?? "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, ""),
  );
  engine.registerFilter("asset_url", (name: string) => `//cdn.example/extensions/rank-badge/assets/${name}`);
  engine.registerFilter("stylesheet_tag", (url: string) => `<link href="${url}" rel="stylesheet" type="text/css" media="all" />`);
  return engine;
}

/** Block settings as Shopify passes them: schema defaults, then overrides; unset texts are nil. */
export function settingsWith(overrides: Record<string, Json | undefined> = {}): Record<string, Json | undefined> {
  const settings: Record<string, Json | undefined> = {};
  for (const setting of blockSchema().settings) {
    if (setting.id) settings[setting.id] = setting.default;
  }
  return { ...settings, ...overrides };
}

export async function renderBlock(options: RenderOptions = {}): Promise<string> {
  const shopCurrency = options.shopCurrency ?? "JPY";
  const customer = options.customer
    ? {
        first_name: options.customer.first_name ?? "Hanako",
        metafields: {
          $app: Object.fromEntries(
            Object.entries(options.customer.metafields)
              .filter(([, value]) => value !== undefined)
              .map(([key, value]) => [key, { value }]),
          ),
        },
      }
    : undefined;
  return createEngine(options).parseAndRender(blockSource(), {
    customer,
    block: { id: "AbCdEf", settings: settingsWith(options.settings), shopify_attributes: 'data-shopify-editor-block="{}"' },
    request: { design_mode: options.designMode ?? false, locale: { iso_code: options.locale ?? "en" } },
    routes: { account_login_url: "/account/login" },
    shop: { currency: shopCurrency },
    cart: { currency: { iso_code: options.presentmentCurrency ?? shopCurrency } },
  });
}

let domWindow: Window | undefined;

/** The rendered block as a DOM (happy-dom) plus its visible text. */
export function parse(html: string) {
  domWindow ??= new Window();
  const container = domWindow.document.createElement("div");
  container.innerHTML = html;
  const text = (selector: string) => normalize(container.querySelector(selector)?.textContent);
  return {
    root: container.querySelector(".tokui-rank-badge"),
    text,
    visibleText: normalize(container.textContent),
    badge: container.querySelector(".tokui-rank-badge__badge"),
    progress: text(".tokui-rank-badge__progress"),
  };
}

/** For afterAll. */
export async function closeDom(): Promise<void> {
  await domWindow?.happyDOM.close();
  domWindow = undefined;
}

const normalize = (text: string | null | undefined) => (text ?? "").replace(/\s+/g, " ").trim();
