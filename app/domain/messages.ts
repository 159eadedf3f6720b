/**
 * Rank-aware thank-you messages for the thank-you and order status pages.
 *
 * Template syntax (deliberately tiny, so merchants can learn it from one example):
 *   {{name}}                 the variable's value; empty when it has none
 *   {{#name}}…{{/name}}      the text between is shown only when `name` has a value
 *                            (null, missing and blank have none; 0 is a value)
 * Spaces inside the braces are allowed ({{ first_name }}). Sections do not nest. There is no
 * escaping: the output is plain text for text nodes, never HTML — use escapeHtml() before
 * putting it into markup.
 *
 * Example: "{{#first_name}}{{first_name}}様、{{/first_name}}いつもありがとうございます。"
 * renders "花子様、いつも…" for a named customer and "いつも…" otherwise.
 */
import { displayMoney } from "./money";

export type Localized = { ja: string; en: string };

export const TEMPLATE_VARIABLES = ["first_name", "rank", "next_rank", "orders_to_next", "amount_to_next"] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Keyed by rank key; "guest" is for orders without a customer (they get the first-purchase greeting). */
export type MessageTemplates = Record<string, Localized>;
export type DefaultTemplateKey = "first" | "second" | "regular" | "vip" | "guest";

export const GUEST_TEMPLATE_KEY = "guest";
export const MAX_TEMPLATE_LENGTH = 500;

const NAME_JA = "{{#first_name}}{{first_name}}様、{{/first_name}}";
const NAME_EN = "{{#first_name}}, {{first_name}},{{/first_name}}";

export const FIRST_PURCHASE_JA = "本日は多くの店舗の中から、お選びいただきありがとうございます。";
export const REPEAT_JA = "いつも、ご愛顧いただき誠にありがとうございます。";

/** The four phases of the merchant's playbook; texts are starting points the merchant edits. */
export function defaultMessageTemplates(): Record<DefaultTemplateKey, Localized> {
  const first: Localized = {
    ja: `${NAME_JA}${FIRST_PURCHASE_JA}心を込めてお届けいたします。`,
    en: `Thank you${NAME_EN} for choosing us out of so many shops today. We'll pack your order with care.`,
  };
  return {
    first,
    guest: { ...first },
    second: {
      ja: `${NAME_JA}2度目のご購入、誠にありがとうございます。またお選びいただけたこと、スタッフ一同とても嬉しく思っております。`,
      en: "Welcome back{{#first_name}}, {{first_name}}{{/first_name}}! Thank you for your second order — we're so glad you chose us again.",
    },
    regular: {
      ja: `${NAME_JA}${REPEAT_JA}今後とも変わらぬお引き立てのほど、よろしくお願い申し上げます。`,
      en: `Thank you${NAME_EN} for your continued support. It's always a pleasure to see you again.`,
    },
    vip: {
      ja: `${NAME_JA}${REPEAT_JA}{{rank}}のお客様へ、スタッフ一同、感謝の気持ちを込めてお届けいたします。`,
      en: `Thank you${NAME_EN} for your continued support. As one of our {{rank}} customers, you have our special thanks.`,
    },
  };
}

type Token =
  | { type: "text"; text: string; index: number }
  | { type: "var" | "open" | "close"; name: string; raw: string; index: number }
  | { type: "bad"; raw: string; index: number };

const TAG = /\{\{([^{}]*)\}\}/g;
const INNER = /^\s*([#/]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of template.matchAll(TAG)) {
    const index = match.index;
    if (index > last) tokens.push({ type: "text", text: template.slice(last, index), index: last });
    const raw = match[0];
    const inner = INNER.exec(match[1] ?? "");
    if (!inner) tokens.push({ type: "bad", raw, index });
    else {
      const type = inner[1] === "#" ? "open" : inner[1] === "/" ? "close" : "var";
      tokens.push({ type, name: inner[2]!, raw, index });
    }
    last = index + raw.length;
  }
  if (last < template.length) tokens.push({ type: "text", text: template.slice(last), index: last });
  return tokens;
}

export type TemplateToken = Token;

/** The template as text, variables and section tags, for turning it into another syntax (Liquid). */
export function templateTokens(template: string): TemplateToken[] {
  return tokenize(template);
}

const isKnown = (name: string): name is TemplateVariable => (TEMPLATE_VARIABLES as readonly string[]).includes(name);

export interface TemplateError {
  /** Character offset in the template, for the editor to point at. */
  index: number;
  message: Localized;
}

export type TemplateCheck = { ok: true } | { ok: false; errors: TemplateError[] };

/** Everything the merchant editor must reject before a template is saved. */
export function parseTemplate(template: string): TemplateCheck {
  const errors: TemplateError[] = [];
  const add = (index: number, en: string, ja: string) => errors.push({ index, message: { en, ja } });
  const known = TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(", ");

  if (template.trim() === "") add(0, "Enter a message.", "メッセージを入力してください。");
  // Code points, so a Japanese character or an emoji counts as one.
  if ([...template].length > MAX_TEMPLATE_LENGTH) {
    add(
      MAX_TEMPLATE_LENGTH,
      `Keep the message to ${MAX_TEMPLATE_LENGTH} characters or fewer.`,
      `メッセージは${MAX_TEMPLATE_LENGTH}文字以内にしてください。`,
    );
  }

  let open: { name: string; index: number } | null = null;
  const rejectedOpens: string[] = []; // their closes are not worth a second error
  for (const token of tokenize(template)) {
    if (token.type === "text") {
      const stray = token.text.indexOf("{{");
      if (stray >= 0) add(token.index + stray, "“{{” is not closed with “}}”.", "「{{」に対応する「}}」がありません。");
      continue;
    }
    if (token.type === "bad") {
      add(
        token.index,
        `${token.raw} is not a variable. Use one of: ${known}.`,
        `${token.raw} は変数ではありません。使える変数：${known}`,
      );
      continue;
    }
    if (!isKnown(token.name)) {
      add(
        token.index,
        `Unknown variable “${token.name}”. Use one of: ${known}.`,
        `「${token.name}」という変数はありません。使える変数：${known}`,
      );
      continue;
    }
    if (token.type === "open") {
      if (open) {
        add(token.index, "Sections cannot be nested.", "{{#…}} の中に {{#…}} は入れられません。");
        rejectedOpens.push(token.name);
        continue;
      }
      open = { name: token.name, index: token.index };
    } else if (token.type === "close") {
      const rejected = rejectedOpens.lastIndexOf(token.name);
      if (rejected >= 0) rejectedOpens.splice(rejected, 1);
      else if (open?.name === token.name) open = null;
      else add(token.index, `${token.raw} has no matching {{#${token.name}}}.`, `${token.raw} に対応する {{#${token.name}}} がありません。`);
    }
  }
  if (open) {
    add(open.index, `{{#${open.name}}} is never closed with {{/${open.name}}}.`, `{{#${open.name}}} を {{/${open.name}}} で閉じてください。`);
  }
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

const hasValue = (v: string | number | null | undefined) => v !== null && v !== undefined && String(v).trim() !== "";

/**
 * Plain text. Expects a template that passed parseTemplate; anything else still renders without
 * throwing: unknown variables become empty and malformed tags stay as typed. Values are inserted
 * once and never re-read as template syntax, so a name like "{{rank}}" stays literal.
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, string | number | null | undefined>>): string {
  let out = "";
  let skipping: string | null = null;
  for (const token of tokenize(template)) {
    if (skipping !== null) {
      if (token.type === "close" && token.name === skipping) skipping = null;
      continue;
    }
    if (token.type === "text") out += token.text;
    else if (token.type === "bad") out += token.raw;
    else if (token.type === "var") out += hasValue(vars[token.name]) ? String(vars[token.name]) : "";
    else if (token.type === "open" && !hasValue(vars[token.name])) skipping = token.name;
  }
  return out.trim();
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * For text placed into HTML (the merchant preview, email snippets). In Liquid, pass the text as
 * data and output it with `| escape`; never splice it into Liquid source.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export interface ProgressInput {
  next: { labelJa: string; labelEn: string; combine: "any" | "all" } | null;
  ordersToNext: number | null;
  amountToNext: bigint | null;
}

/**
 * "あと2回のご購入でVIP" / "2 more orders to VIP". With both conditions, "any" joins them with
 * または/or (either suffices) and "all" with と/and; a part already met (0) is left out.
 */
export function progressText(progress: ProgressInput, currency: string, locale: "ja" | "en"): string {
  const { next } = progress;
  if (next === null) return locale === "ja" ? "最上位ランクです" : "You're at our top rank";
  const label = locale === "ja" ? next.labelJa : next.labelEn;
  const orders = progress.ordersToNext !== null && progress.ordersToNext > 0 ? progress.ordersToNext : null;
  const amount =
    progress.amountToNext !== null && progress.amountToNext > 0n ? displayMoney(progress.amountToNext, currency, locale) : null;
  const both = next.combine === "all";

  if (locale === "ja") {
    if (orders !== null && amount !== null) {
      return `あと${orders}回のご購入${both ? "と" : "、または"}${amount}のお買い上げで${label}`;
    }
    if (orders !== null) return `あと${orders}回のご購入で${label}`;
    if (amount !== null) return `あと${amount}のご購入で${label}`;
    return `次のランク：${label}`;
  }
  const ordersEn = orders === null ? null : `${orders} more ${orders === 1 ? "order" : "orders"}`;
  if (ordersEn !== null && amount !== null) return `${ordersEn} ${both ? "and" : "or"} ${amount} more to ${label}`;
  if (ordersEn !== null) return `${ordersEn} to ${label}`;
  if (amount !== null) return `${amount} more to ${label}`;
  return `Next rank: ${label}`;
}
