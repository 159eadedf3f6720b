import { describe, expect, it } from "vitest";
import {
  defaultMessageTemplates,
  escapeHtml,
  FIRST_PURCHASE_JA,
  MAX_TEMPLATE_LENGTH,
  parseTemplate,
  progressText,
  renderTemplate,
  REPEAT_JA,
  TEMPLATE_VARIABLES,
  type ProgressInput,
} from "~/domain/messages";
import { defaultRankTiers } from "~/domain/rank";

const TEMPLATES = defaultMessageTemplates();
const KEYS = ["first", "second", "regular", "vip", "guest"] as const;
const LOCALES = ["ja", "en"] as const;
const ALL = KEYS.flatMap((key) => LOCALES.map((locale) => [key, locale] as const));

const VARS = { first_name: "花子", rank: "VIP", next_rank: null, orders_to_next: null, amount_to_next: null };

describe("defaultMessageTemplates", () => {
  it("covers every default rank and guests", () => {
    expect(Object.keys(TEMPLATES).sort()).toEqual([...KEYS].sort());
    // Every key of defaultRankTiers has a template.
    for (const tier of defaultRankTiers("JPY")) expect(TEMPLATES).toHaveProperty(tier.key);
  });

  it.each(ALL)("%s/%s passes the editor's checks", (key, locale) => {
    expect(parseTemplate(TEMPLATES[key][locale])).toEqual({ ok: true });
  });

  it.each<[(typeof KEYS)[number], string]>([
    ["first", FIRST_PURCHASE_JA],
    ["guest", FIRST_PURCHASE_JA],
    ["second", "2度目のご購入、誠にありがとうございます。"],
    ["regular", REPEAT_JA],
    ["vip", REPEAT_JA],
  ])("ja %s uses the merchant's wording", (key, phrase) => {
    expect(TEMPLATES[key].ja).toContain(phrase);
  });

  it("keeps the merchant's exact sentences", () => {
    expect(FIRST_PURCHASE_JA).toBe("本日は多くの店舗の中から、お選びいただきありがとうございます。");
    expect(REPEAT_JA).toBe("いつも、ご愛顧いただき誠にありがとうございます。");
  });

  it.each<[(typeof KEYS)[number], string, string]>([
    ["first", "ja", "花子様、本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["first", "en", "Thank you, 花子, for choosing us out of so many shops today. We'll pack your order with care."],
    ["second", "ja", "花子様、2度目のご購入、誠にありがとうございます。またお選びいただけたこと、スタッフ一同とても嬉しく思っております。"],
    ["second", "en", "Welcome back, 花子! Thank you for your second order — we're so glad you chose us again."],
    ["regular", "ja", "花子様、いつも、ご愛顧いただき誠にありがとうございます。今後とも変わらぬお引き立てのほど、よろしくお願い申し上げます。"],
    ["regular", "en", "Thank you, 花子, for your continued support. It's always a pleasure to see you again."],
    ["vip", "ja", "花子様、いつも、ご愛顧いただき誠にありがとうございます。VIPのお客様へ、スタッフ一同、感謝の気持ちを込めてお届けいたします。"],
    ["vip", "en", "Thank you, 花子, for your continued support. As one of our VIP customers, you have our special thanks."],
  ])("%s/%s with a name", (key, locale, expected) => {
    expect(renderTemplate(TEMPLATES[key][locale as "ja" | "en"], VARS)).toBe(expected);
  });

  it.each<[(typeof KEYS)[number], string, string]>([
    ["first", "ja", "本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["first", "en", "Thank you for choosing us out of so many shops today. We'll pack your order with care."],
    ["guest", "ja", "本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["guest", "en", "Thank you for choosing us out of so many shops today. We'll pack your order with care."],
    ["second", "en", "Welcome back! Thank you for your second order — we're so glad you chose us again."],
    ["regular", "en", "Thank you for your continued support. It's always a pleasure to see you again."],
    ["vip", "ja", "いつも、ご愛顧いただき誠にありがとうございます。VIPのお客様へ、スタッフ一同、感謝の気持ちを込めてお届けいたします。"],
  ])("%s/%s without a name reads naturally", (key, locale, expected) => {
    for (const first_name of [null, "", "  "]) {
      expect(renderTemplate(TEMPLATES[key][locale as "ja" | "en"], { ...VARS, first_name })).toBe(expected);
    }
  });

  it.each(ALL)("%s/%s leaves no braces behind, with or without a name", (key, locale) => {
    for (const first_name of ["Aiko", null]) {
      expect(renderTemplate(TEMPLATES[key][locale], { ...VARS, first_name })).not.toMatch(/[{}]/);
    }
  });

  it("returns fresh objects", () => {
    const a = defaultMessageTemplates();
    a.vip.ja = "x";
    expect(defaultMessageTemplates().vip.ja).not.toBe("x");
  });
});

describe("renderTemplate", () => {
  it.each<[string, Record<string, string | number | null>, string]>([
    ["{{first_name}}", { first_name: "Aiko" }, "Aiko"],
    ["{{ first_name }}", { first_name: "Aiko" }, "Aiko"],
    ["あと{{orders_to_next}}回", { orders_to_next: 2 }, "あと2回"],
    ["{{orders_to_next}}", { orders_to_next: 0 }, "0"], // 0 is a value
    ["{{#orders_to_next}}x{{/orders_to_next}}", { orders_to_next: 0 }, "x"],
    ["{{#next_rank}}Next: {{next_rank}}{{/next_rank}}", { next_rank: null }, ""],
    ["{{#next_rank}}Next: {{next_rank}}{{/next_rank}}", { next_rank: "VIP" }, "Next: VIP"],
    ["{{#next_rank}}a{{/next_rank}}b{{#rank}}c{{/rank}}", { rank: "R" }, "bc"],
    ["{{unknown}}!", {}, "!"], // unknown variable → empty
    ["{{first_name}}", {}, ""], // missing variable → empty
    ["{{#unknown}}hidden{{/unknown}}shown", {}, "shown"],
    ["{{ not a var }}", {}, "{{ not a var }}"], // malformed tag stays as typed
    ["{{#rank}}unclosed {{rank}}", { rank: "VIP" }, "unclosed VIP"],
    ["{{#rank}}unclosed {{rank}}", { rank: null }, ""],
    ["stray {{/rank}} close", {}, "stray  close"],
    ["  padded  ", {}, "padded"],
    ["{{{first_name}}}", { first_name: "A" }, "{A}"],
  ])("%j with %j → %j", (template, vars, expected) => {
    expect(renderTemplate(template, vars)).toBe(expected);
  });

  it("inserts values once: template syntax in a name stays literal", () => {
    expect(renderTemplate("{{first_name}}様 {{rank}}", { first_name: "{{rank}}", rank: "VIP" })).toBe("{{rank}}様 VIP");
    expect(renderTemplate("{{first_name}}", { first_name: "{{#rank}}" })).toBe("{{#rank}}");
  });
});

describe("escapeHtml", () => {
  it.each([
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    [`a & b "c" 'd'`, "a &amp; b &quot;c&quot; &#39;d&#39;"],
    ["&amp;", "&amp;amp;"], // escapes exactly once per call
    ["花子様", "花子様"],
    ["", ""],
  ])("%j → %j", (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
  });

  it("makes a hostile first name inert in HTML", () => {
    const name = `<script>alert("x")</script><img src=x onerror='alert(1)'>`;
    const text = renderTemplate(TEMPLATES.first.ja, { first_name: name });
    expect(text).toContain(name); // plain text for text nodes, unchanged
    const html = escapeHtml(text);
    expect(html).not.toMatch(/[<>"']/);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("makes markup in a merchant's template inert in HTML", () => {
    const template = `<b onclick="x()">{{first_name}}</b><script>steal()</script>`;
    expect(parseTemplate(template)).toEqual({ ok: true }); // markup is just text to us
    const html = escapeHtml(renderTemplate(template, { first_name: "Aiko" }));
    expect(html).toBe("&lt;b onclick=&quot;x()&quot;&gt;Aiko&lt;/b&gt;&lt;script&gt;steal()&lt;/script&gt;");
  });
});

describe("parseTemplate", () => {
  it.each([
    ["plain text", "ありがとうございます。"],
    ["a variable", "{{first_name}}"],
    ["spaces in braces", "{{ first_name }}様"],
    ["a section", "{{#first_name}}{{first_name}}様、{{/first_name}}ありがとう"],
    [
      "two sections",
      "{{#next_rank}}あと{{orders_to_next}}回で{{next_rank}}{{/next_rank}}{{#amount_to_next}}{{amount_to_next}}{{/amount_to_next}}",
    ],
    ["single braces", "単独の } や { は文字です"],
    ["500 ASCII characters", "x".repeat(MAX_TEMPLATE_LENGTH)],
    ["500 kanji", "花".repeat(MAX_TEMPLATE_LENGTH)],
    ["500 emoji (code points, not UTF-16 units)", "😀".repeat(MAX_TEMPLATE_LENGTH)],
  ])("accepts %s", (_name, template) => {
    expect(parseTemplate(template)).toEqual({ ok: true });
  });

  it("accepts every documented variable, bare and as a section", () => {
    for (const name of TEMPLATE_VARIABLES) {
      expect(parseTemplate(`{{${name}}} {{#${name}}}x{{/${name}}}`)).toEqual({ ok: true });
    }
  });

  it.each<[string, string, number[], RegExp]>([
    ["empty", "", [0], /Enter a message/],
    ["blank", "  \n ", [0], /Enter a message/],
    ["too long", "x".repeat(MAX_TEMPLATE_LENGTH + 1), [MAX_TEMPLATE_LENGTH], /500 characters/],
    ["unknown variable", "Hi {{last_name}}", [3], /Unknown variable “last_name”/],
    ["misspelt variable", "{{firstname}}様", [0], /Unknown variable “firstname”/],
    ["unknown section", "{{#coupon}}x{{/coupon}}", [0, 12], /Unknown variable “coupon”/],
    ["not a variable", "{{ first name }}", [0], /is not a variable/],
    ["empty braces", "a{{}}b", [1], /is not a variable/],
    ["unclosed braces", "Hi {{first_name", [3], /not closed with/],
    ["unclosed section", "{{#first_name}}{{first_name}}様", [0], /never closed with \{\{\/first_name\}\}/],
    ["close without open", "{{first_name}}{{/first_name}}", [14], /no matching \{\{#first_name\}\}/],
    ["mismatched close", "{{#rank}}x{{/next_rank}}", [10, 0], /no matching \{\{#next_rank\}\}/],
    ["nested sections", "{{#rank}}{{#next_rank}}x{{/next_rank}}{{/rank}}", [9], /cannot be nested/],
  ])("rejects %s", (_name, template, indexes, firstMessage) => {
    const result = parseTemplate(template);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors.map((e) => e.index)).toEqual(indexes);
    expect(result.errors[0]!.message.en).toMatch(firstMessage);
  });

  it("words every error in English and Japanese", () => {
    const broken = ["", "x".repeat(501), "{{a}}", "{{ a b }}", "{{x", "{{#rank}}", "{{/rank}}", "{{#rank}}{{#rank}}"];
    for (const template of broken) {
      const result = parseTemplate(template);
      if (result.ok) throw new Error(`expected errors for ${template}`);
      for (const { message } of result.errors) {
        expect(message.en).toMatch(/^[\x20-\x7e“”]+$/);
        expect(message.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      }
    }
  });
});

describe("progressText", () => {
  const next = (combine: "any" | "all" = "any") => ({ labelJa: "VIP", labelEn: "VIP", combine });
  const p = (ordersToNext: number | null, amountToNext: bigint | null, combine?: "any" | "all"): ProgressInput => ({
    next: next(combine),
    ordersToNext,
    amountToNext,
  });

  it.each<[string, ProgressInput, string, string, string]>([
    ["2 orders", p(2, null), "JPY", "あと2回のご購入でVIP", "2 more orders to VIP"],
    ["1 order", p(1, null), "JPY", "あと1回のご購入でVIP", "1 more order to VIP"],
    ["amount", p(null, 12_000n), "JPY", "あと12,000円のご購入でVIP", "¥12,000 more to VIP"],
    ["amount in USD", p(null, 1_250n), "USD", "あと$12.50のご購入でVIP", "$12.50 more to VIP"],
    ["either (any)", p(2, 12_000n), "JPY", "あと2回のご購入、または12,000円のお買い上げでVIP", "2 more orders or ¥12,000 more to VIP"],
    ["both (all)", p(1, 12_000n, "all"), "JPY", "あと1回のご購入と12,000円のお買い上げでVIP", "1 more order and ¥12,000 more to VIP"],
    ["all, orders met", p(0, 3_000n, "all"), "JPY", "あと3,000円のご購入でVIP", "¥3,000 more to VIP"],
    ["all, spend met", p(3, 0n, "all"), "JPY", "あと3回のご購入でVIP", "3 more orders to VIP"],
    ["nothing measurable", p(null, null), "JPY", "次のランク：VIP", "Next rank: VIP"],
    ["top rank", { next: null, ordersToNext: null, amountToNext: null }, "JPY", "最上位ランクです", "You're at our top rank"],
  ])("%s", (_name, progress, currency, ja, en) => {
    expect(progressText(progress, currency, "ja")).toBe(ja);
    expect(progressText(progress, currency, "en")).toBe(en);
  });

  it("uses the label in the shopper's language", () => {
    const progress = { next: { labelJa: "常連", labelEn: "Regular", combine: "any" as const }, ordersToNext: 1, amountToNext: null };
    expect(progressText(progress, "JPY", "ja")).toBe("あと1回のご購入で常連");
    expect(progressText(progress, "JPY", "en")).toBe("1 more order to Regular");
  });
});
