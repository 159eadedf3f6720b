/**
 * The Liquid snippet a merchant pastes into Shopify's Order confirmation notification, so the
 * email greets each customer by their rank (the customer's one `tokui-rank:<key>` tag).
 *
 * Shopify renders notifications with Liquid; the snippet uses only `customer` (nil for an order
 * without a customer), `customer.tags` and `customer.first_name` — the objects Shopify's own
 * order confirmation template uses.
 *
 * Merchant text (greetings, rank names) is spliced into the snippet's source, because a pasted
 * snippet has no other way to carry data. It is made inert first: HTML-escaped, and `{`/`}`
 * written as the HTML entities &#123;/&#125;, so no sequence of it can open a Liquid tag or
 * output (`{{`, `{%`) or an HTML element, whatever the merchant typed. The email shows the
 * same characters.
 *
 * What the email cannot know: the distance to the next rank (orders_to_next, amount_to_next) —
 * Tokui computes those, and Shopify's notification has no access to them. Those variables
 * render empty and their {{#…}} sections are left out, exactly as renderTemplate treats a
 * variable without a value.
 */
import { sampleStatsFor } from "./message-form";
import { escapeHtml, templateTokens, type MessageTemplates } from "./messages";
import { messageTemplateFor } from "./post-purchase";
import { rankTag, type RankTier } from "./rank";

type Locale = "ja" | "en";

export interface EmailSnippetInput {
  tiers: RankTier[];
  templates: MessageTemplates;
  locale: Locale;
}

/** Text as inert HTML inside Liquid source (see the module comment). */
export function liquidSafeText(text: string): string {
  return escapeHtml(text)
    .replace(/\{/g, "&#123;")
    .replace(/\}/g, "&#125;")
    .replace(/\r\n?|\n/g, "<br>");
}

/** The only values a rank key can take (rank.ts KEY); anything else must never reach Liquid. */
const SAFE_KEY = /^[a-z0-9-]+$/;

/** Static values known when the snippet is generated; first_name comes from Liquid. */
type StaticVars = Partial<Record<"rank" | "next_rank", string>>;

/** One template as Liquid: sections on first_name become {% if %}, the rest is decided now. */
export function templateToLiquid(template: string, vars: StaticVars): string {
  let out = "";
  let skipping: string | null = null;
  let liquidSection: string | null = null;
  const hasStatic = (name: string) => {
    const value = vars[name as keyof StaticVars];
    return value !== undefined && value.trim() !== "";
  };
  for (const token of templateTokens(template)) {
    if (skipping !== null) {
      if (token.type === "close" && token.name === skipping) skipping = null;
      continue;
    }
    switch (token.type) {
      case "text":
        out += liquidSafeText(token.text);
        break;
      case "bad":
        out += liquidSafeText(token.raw);
        break;
      case "var":
        if (token.name === "first_name") out += "{{ customer.first_name | escape }}";
        else if (hasStatic(token.name)) out += liquidSafeText(vars[token.name as keyof StaticVars]!);
        break;
      case "open":
        if (token.name === "first_name") {
          out += "{% if customer.first_name != blank %}";
          liquidSection = token.name;
        } else if (!hasStatic(token.name)) {
          skipping = token.name;
        }
        break;
      case "close":
        if (token.name === liquidSection) {
          out += "{% endif %}";
          liquidSection = null;
        }
        break;
    }
  }
  // An unclosed section (the editor refuses those) must still give valid Liquid.
  if (liquidSection !== null) out += "{% endif %}";
  return out.trim();
}

const label = (tier: RankTier, locale: Locale) => (locale === "ja" ? tier.labelJa : tier.labelEn);

export function orderConfirmationSnippet({ tiers, templates, locale }: EmailSnippetInput): string {
  const ladder = [...tiers].sort((a, b) => a.position - b.position);
  for (const tier of ladder) {
    if (!SAFE_KEY.test(tier.key)) throw new Error(`rank key ${JSON.stringify(tier.key)} cannot go into Liquid`);
  }
  const guest = messageTemplateFor(templates, null, 1)[locale];
  const lines = [
    "{%- comment -%}",
    locale === "ja"
      ? "  Tokui：ランク別のごあいさつ（注文確認メール用）。ランクやメッセージを変更したら、貼り直してください。"
      : "  Tokui: rank-aware greeting for the order confirmation email. Paste it again after you change ranks or messages.",
    locale === "ja"
      ? "  お客様のタグ tokui-rank:<キー> でランクを判定します。ゲストやタグのないお客様には初回のごあいさつを表示します。"
      : "  The rank comes from the customer's tag tokui-rank:<key>; guests and untagged customers get the first-purchase greeting.",
    "{%- endcomment -%}",
    '{%- assign tokui_rank = "" -%}',
    "{%- for tokui_tag in customer.tags -%}",
    "  {%- case tokui_tag -%}",
    ...ladder.map((t) => `    {%- when "${rankTag(t.key)}" -%}{%- assign tokui_rank = "${t.key}" -%}`),
    "  {%- endcase -%}",
    "{%- endfor -%}",
    "{%- case tokui_rank -%}",
  ];
  ladder.forEach((tier, i) => {
    const next = ladder[i + 1];
    // A tier without its own template greets like the extensions do (messageTemplateFor).
    const template = messageTemplateFor(templates, tier.key, sampleStatsFor(tier, tiers)?.orderCount ?? 2)[locale];
    lines.push(`  {%- when "${tier.key}" -%}`);
    lines.push(`    ${templateToLiquid(template, { rank: label(tier, locale), ...(next ? { next_rank: label(next, locale) } : {}) })}`);
  });
  lines.push("  {%- else -%}");
  // As on the thank-you page, the guest greeting has no rank values.
  lines.push(`    ${templateToLiquid(guest, {})}`);
  lines.push("{%- endcase -%}");
  // The default text of email_body follows the greeting: a blank line between them.
  lines.push("<br><br>");
  return `${lines.join("\n")}\n`;
}

/** Variables Tokui computes per order, which a notification cannot know. */
export const EMAIL_UNAVAILABLE_VARIABLES = ["orders_to_next", "amount_to_next"] as const;

/** Whether any of these templates uses a variable the snippet has to leave out. */
export function usesEmailUnavailableVariables(templates: readonly string[]): boolean {
  const unavailable: readonly string[] = EMAIL_UNAVAILABLE_VARIABLES;
  return templates.some((template) => templateTokens(template).some((t) => t.type !== "text" && t.type !== "bad" && unavailable.includes(t.name)));
}
