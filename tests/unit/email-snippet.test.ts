/**
 * The order confirmation snippet, rendered with liquidjs (standing in for Shopify's notification
 * renderer: same tags, `blank`, nil `customer` for orders without one, tags as an array).
 */
import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { liquidSafeText, orderConfirmationSnippet, templateToLiquid, usesEmailUnavailableVariables } from "~/domain/email-snippet";
import { defaultMessageTemplates, renderTemplate, type MessageTemplates } from "~/domain/messages";
import { defaultRankTiers, rankTag, type RankTier } from "~/domain/rank";

const TIERS = defaultRankTiers("JPY");
const DEFAULTS: MessageTemplates = defaultMessageTemplates();
const liquid = new Liquid({ strictFilters: true });

type Customer = { first_name?: string | null; tags?: string[] } | null;

async function render(snippet: string, customer: Customer): Promise<string> {
  return liquid.parseAndRender(snippet, customer === null ? {} : { customer });
}

/** What a mail client shows: entities decoded, markup as text. */
function shown(html: string): string {
  return html
    .replace(/<br><br>\s*$/, "")
    .trim()
    .replace(/&#123;/g, "{")
    .replace(/&#125;/g, "}")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("orderConfirmationSnippet: the greeting follows the rank tag", () => {
  const ja = orderConfirmationSnippet({ tiers: TIERS, templates: DEFAULTS, locale: "ja" });
  const en = orderConfirmationSnippet({ tiers: TIERS, templates: DEFAULTS, locale: "en" });

  it.each<[string, string, Customer, string]>([
    ["ja, VIP with a name", ja, { first_name: "花子", tags: ["newsletter", rankTag("vip")] }, "花子様、いつも、ご愛顧いただき誠にありがとうございます。VIPのお客様へ、スタッフ一同、感謝の気持ちを込めてお届けいたします。"],
    ["ja, second purchase without a name", ja, { first_name: "", tags: [rankTag("second")] }, "2度目のご購入、誠にありがとうございます。またお選びいただけたこと、スタッフ一同とても嬉しく思っております。"],
    ["ja, customer without a rank tag", ja, { first_name: "太郎", tags: ["wholesale"] }, "太郎様、本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["ja, order without a customer", ja, null, "本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["ja, a tag that only starts like a rank tag", ja, { first_name: "花子", tags: [`${rankTag("vip")}-old`] }, "花子様、本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["ja, the tag of a removed rank", ja, { first_name: null, tags: [rankTag("gold")] }, "本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["en, regular", en, { first_name: "Alex", tags: [rankTag("regular")] }, "Thank you, Alex, for your continued support. It's always a pleasure to see you again."],
    ["en, first purchase tag", en, { first_name: "Alex", tags: [rankTag("first")] }, "Thank you, Alex, for choosing us out of so many shops today. We'll pack your order with care."],
    ["en, no customer", en, null, "Thank you for choosing us out of so many shops today. We'll pack your order with care."],
    ["en, a name that is markup", en, { first_name: "<img src=x onerror=alert(1)>", tags: [rankTag("regular")] }, "Thank you, <img src=x onerror=alert(1)>, for your continued support. It's always a pleasure to see you again."],
  ])("%s", async (_name, snippet, customer, greeting) => {
    const html = await render(snippet, customer);
    expect(shown(html)).toBe(greeting);
    expect(html).not.toMatch(/<img/); // the name is escaped, never markup
    expect(html.trimEnd()).toMatch(/<br><br>$/);
  });

  it("matches renderTemplate for every rank and language (values the email has)", async () => {
    for (const locale of ["ja", "en"] as const) {
      const snippet = orderConfirmationSnippet({ tiers: TIERS, templates: DEFAULTS, locale });
      for (const [i, tier] of TIERS.entries()) {
        for (const first_name of ["花子", null]) {
          const label = (t: RankTier | undefined) => (t ? (locale === "ja" ? t.labelJa : t.labelEn) : null);
          const expected = renderTemplate(DEFAULTS[tier.key]![locale], { first_name, rank: label(tier), next_rank: label(TIERS[i + 1]) });
          expect(shown(await render(snippet, { first_name, tags: [rankTag(tier.key)] }))).toBe(expected);
        }
      }
    }
  });

  it("lists every rank of the ladder, lowest first", () => {
    expect([...ja.matchAll(/\{%- when "(tokui-rank:[a-z0-9-]+)" -%\}/g)].map((m) => m[1])).toEqual(TIERS.map((t) => rankTag(t.key)));
    expect([...ja.matchAll(/\{%- when "([a-z0-9-]+)" -%\}/g)].map((m) => m[1])).toEqual(TIERS.map((t) => t.key));
  });
});

describe("merchant text can never become Liquid or HTML", () => {
  const hostile = [
    "{{ shop.name }}",
    "{% if true %}50%{% endif %}",
    "{%- endcase -%}{% endfor %}",
    "{{ customer.email }}",
    "</p><script>alert('x')</script>",
    '"quoted" & \'single\'',
    "{% raw %}{{x}}{% endraw %}",
    "} } { {",
    "line one\nline two",
  ];

  it.each(hostile)("in a rank name: %j", async (text) => {
    const tiers = TIERS.map((t) => (t.key === "vip" ? { ...t, labelJa: text, labelEn: text } : t));
    const templates = { ...DEFAULTS, vip: { ja: "{{rank}}", en: "{{rank}}" }, regular: { ja: "→{{next_rank}}", en: "→{{next_rank}}" } };
    const snippet = orderConfirmationSnippet({ tiers, templates, locale: "ja" });
    expect(shown(await render(snippet, { tags: [rankTag("vip")] }))).toBe(text.replace(/\n/g, "<br>"));
    expect(shown(await render(snippet, { tags: [rankTag("regular")] }))).toBe(`→${text.replace(/\n/g, "<br>")}`);
    expect(await render(snippet, { tags: [rankTag("vip")] })).not.toMatch(/[<>]script|\{\{|\{%/);
  });

  it.each(hostile.filter((text) => !/\{\{/.test(text)))("in a template's text: %j", async (text) => {
    // Templates are validated ({{…}} must be a known variable), but {% … %} and stray braces are text.
    const templates = { ...DEFAULTS, second: { ja: `{{#first_name}}{{first_name}}様、{{/first_name}}${text}`, en: text } };
    const snippet = orderConfirmationSnippet({ tiers: TIERS, templates, locale: "ja" });
    expect(shown(await render(snippet, { first_name: "花子", tags: [rankTag("second")] }))).toBe(`花子様、${text.replace(/\n/g, "<br>")}`.trim());
  });

  it("refuses a rank key that could break out of a Liquid string", () => {
    const tiers = [{ ...TIERS[0]!, key: 'x" or "' }];
    expect(() => orderConfirmationSnippet({ tiers, templates: DEFAULTS, locale: "en" })).toThrow(/cannot go into Liquid/);
  });
});

describe("templateToLiquid", () => {
  it.each<[string, string, Record<string, string>, string]>([
    ["a name section", "{{#first_name}}{{first_name}}様、{{/first_name}}ありがとう", {}, "{% if customer.first_name != blank %}{{ customer.first_name | escape }}様、{% endif %}ありがとう"],
    ["the rank, decided now", "{{#rank}}{{rank}}会員様{{/rank}}へ", { rank: "VIP" }, "VIP会員様へ"],
    ["a rank section without a rank", "{{#rank}}{{rank}}会員様{{/rank}}へ", {}, "へ"],
    ["progress the email cannot know", "ありがとう。{{#orders_to_next}}あと{{orders_to_next}}回で{{next_rank}}{{/orders_to_next}}", { next_rank: "VIP" }, "ありがとう。"],
    ["a bare progress variable", "あと{{amount_to_next}}", {}, "あと"],
    ["text escaped", "5 < 6 & {x}", {}, "5 &lt; 6 &amp; &#123;x&#125;"],
  ])("%s", (_name, template, vars, liquidText) => {
    expect(templateToLiquid(template, vars)).toBe(liquidText);
  });

  it("liquidSafeText leaves no brace, angle bracket or quote", () => {
    expect(liquidSafeText(`{{a}} {%b%} <c> "d" 'e' &`)).toMatch(/^[^{}<>"']*$/);
  });
});

it("usesEmailUnavailableVariables spots progress values", () => {
  expect(usesEmailUnavailableVariables(Object.values(DEFAULTS).map((t) => t.ja))).toBe(false);
  expect(usesEmailUnavailableVariables(["あと{{ orders_to_next }}回"])).toBe(true);
  expect(usesEmailUnavailableVariables(["{{#amount_to_next}}x{{/amount_to_next}}"])).toBe(true);
});
