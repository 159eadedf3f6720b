import { describe, expect, it } from "vitest";
import { defaultRankTiers, rankProgress } from "~/domain/rank";
import {
  checkMailTemplate,
  defaultFollowUpTemplate,
  mailVariables,
  renderMail,
  type MailTemplate,
  type MailVariables,
} from "~/mail/render";

const tiers = defaultRankTiers("JPY");
const URL_ = "https://tokui.example.com/unsubscribe?token=abc.def";

const vars = (over: Partial<MailVariables> = {}): MailVariables => ({
  customer_name: "山田 花子",
  first_name: "花子",
  last_name: "山田",
  rank: "初回",
  next_rank: "2回目",
  progress: "あと1回のご購入で2回目",
  orders_to_next: 1,
  amount_to_next: null,
  shop_name: "山田商店",
  ...over,
});

describe("mailVariables", () => {
  const progress = (orderCount: number, windowSpent: bigint) => rankProgress({ orderCount, windowSpent }, tiers);

  it.each([
    [
      "ja, after the first order",
      { firstName: "花子", lastName: "山田" },
      progress(1, 3_000n),
      "ja",
      { customer_name: "山田 花子", first_name: "花子", last_name: "山田", rank: "初回", next_rank: "2回目", progress: "あと1回のご購入で2回目", orders_to_next: 1, amount_to_next: null },
    ],
    [
      "en, after the first order",
      { firstName: "Hanako", lastName: "Yamada" },
      progress(1, 3_000n),
      "en",
      { customer_name: "Hanako Yamada", rank: "First purchase", next_rank: "Second purchase", progress: "1 more order to Second purchase", orders_to_next: 1 },
    ],
    [
      "ja, a regular on the way to VIP by orders or spend",
      { firstName: "花子", lastName: "山田" },
      progress(3, 40_000n),
      "ja",
      { rank: "常連", next_rank: "VIP", progress: "あと7回のご購入、または60,000円のお買い上げでVIP", orders_to_next: 7, amount_to_next: "60,000円" },
    ],
    ["en, the same regular", { firstName: null, lastName: null }, progress(3, 40_000n), "en", { progress: "7 more orders or ¥60,000 more to VIP", amount_to_next: "¥60,000" }],
    [
      "at the top rank nothing is missing",
      { firstName: "花子", lastName: null },
      progress(12, 200_000n),
      "ja",
      { customer_name: "花子", last_name: null, rank: "VIP", next_rank: null, progress: null, orders_to_next: null, amount_to_next: null },
    ],
    [
      "no name at all (blank counts as none)",
      { firstName: " ", lastName: null },
      progress(0, 0n),
      "ja",
      { customer_name: null, first_name: null, last_name: null, rank: null, next_rank: "初回", progress: "あと1回のご購入で初回" },
    ],
  ] as const)("%s", (_name, customer, rank, locale, expected) => {
    expect(mailVariables({ customer, rank, currency: "JPY", shopName: "山田商店", locale })).toMatchObject({ shop_name: "山田商店", ...expected });
  });
});

describe("renderMail", () => {
  it("renders the default Japanese follow-up (checked by hand)", () => {
    const mail = renderMail(defaultFollowUpTemplate(), "ja", vars(), { unsubscribeUrl: URL_ });
    expect(mail.subject).toBe("【山田商店】お届けした商品はいかがでしょうか");
    expect(mail.text).toBe(
      [
        "山田 花子様",
        "",
        "いつも山田商店をご利用いただき、誠にありがとうございます。",
        "",
        "お届けした商品はいかがでしょうか。お気づきの点がございましたら、このメールにご返信ください。",
        "",
        "現在の会員ランクは「初回」です。あと1回のご購入で2回目です。",
        "",
        "またのご来店を、スタッフ一同心よりお待ちしております。",
        "",
        "-- ",
        "山田商店",
        "今後このようなメールの配信を希望されない場合は、こちらから配信停止できます：",
        URL_,
        "",
      ].join("\n"),
    );
    expect(mail.html).toBe(
      [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>【山田商店】お届けした商品はいかがでしょうか</title></head>',
        '<body style="font-family: sans-serif; line-height: 1.7; color: #222;">',
        "<p>山田 花子様</p>",
        "<p>いつも山田商店をご利用いただき、誠にありがとうございます。</p>",
        "<p>お届けした商品はいかがでしょうか。お気づきの点がございましたら、このメールにご返信ください。</p>",
        "<p>現在の会員ランクは「初回」です。あと1回のご購入で2回目です。</p>",
        "<p>またのご来店を、スタッフ一同心よりお待ちしております。</p>",
        '<hr style="border: none; border-top: 1px solid #ddd; margin: 2em 0 1em;">',
        '<p style="font-size: 12px; color: #666;">山田商店<br>',
        '今後このようなメールの配信を希望されない場合は、こちらから配信停止できます： <a href="https://tokui.example.com/unsubscribe?token=abc.def">配信停止</a></p>',
        "</body>",
        "</html>",
        "",
      ].join("\n"),
    );
  });

  it("leaves out the name line and the rank sentence when there is neither (no empty lines left over)", () => {
    const mail = renderMail(defaultFollowUpTemplate(), "ja", vars({ customer_name: null, rank: null, progress: null }), { unsubscribeUrl: URL_ });
    expect(mail.text.split("\n").slice(0, 4)).toEqual([
      "いつも山田商店をご利用いただき、誠にありがとうございます。",
      "",
      "お届けした商品はいかがでしょうか。お気づきの点がございましたら、このメールにご返信ください。",
      "",
    ]);
    expect(mail.text).not.toContain("\n\n\n");
    expect(mail.html).not.toContain("<p></p>");
  });

  it("renders the default English follow-up", () => {
    const mail = renderMail(
      defaultFollowUpTemplate(),
      "en",
      vars({ first_name: "Hanako", rank: "Regular", progress: "7 more orders or ¥60,000 more to VIP", shop_name: "Yamada Shoten" }),
      { unsubscribeUrl: URL_ },
    );
    expect(mail.subject).toBe("How are you enjoying your order from Yamada Shoten?");
    expect(mail.text).toBe(
      [
        "Dear Hanako,",
        "",
        "Thank you for shopping at Yamada Shoten.",
        "",
        "We hope you are enjoying your order. If anything is not right, just reply to this email.",
        "",
        "You are one of our Regular customers. 7 more orders or ¥60,000 more to VIP.",
        "",
        "We look forward to seeing you again.",
        "",
        "-- ",
        "Yamada Shoten",
        "If you would rather not receive these emails, you can unsubscribe here:",
        URL_,
        "",
      ].join("\n"),
    );
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html).toContain(`<a href="${URL_}">Unsubscribe</a>`);
  });

  it("escapes every variable and the merchant's own text in HTML, and leaves the text part as typed", () => {
    const template: MailTemplate = {
      subject: { ja: "{{shop_name}}より", en: "" },
      body: { ja: "<b>太字</b>のつもり\n{{customer_name}}様", en: "" },
    };
    const mail = renderMail(template, "ja", vars({ customer_name: `<img src=x onerror="alert('x')">`, shop_name: "A&B <商店>" }), {
      unsubscribeUrl: "https://tokui.example.com/unsubscribe?token=a.b&x=1",
    });
    expect(mail.html).toContain("<title>A&amp;B &lt;商店&gt;より</title>");
    expect(mail.html).toContain("<p>&lt;b&gt;太字&lt;/b&gt;のつもり<br>\n&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;様</p>");
    expect(mail.html).toContain('<a href="https://tokui.example.com/unsubscribe?token=a.b&amp;x=1">');
    expect(mail.html).not.toMatch(/<img|<b>/);
    expect(mail.text).toContain(`<b>太字</b>のつもり\n<img src=x onerror="alert('x')">様`);
  });

  it("keeps the subject on one line whatever the variables hold, and does not re-read values as template syntax", () => {
    const template: MailTemplate = { subject: { ja: "{{customer_name}}様へ\nお知らせ", en: "" }, body: { ja: "{{customer_name}}", en: "" } };
    const mail = renderMail(template, "ja", vars({ customer_name: "山田\r\nBcc: x@evil.example {{shop_name}}" }), { unsubscribeUrl: URL_ });
    expect(mail.subject).toBe("山田 Bcc: x@evil.example {{shop_name}}様へ お知らせ");
    expect(mail.text.startsWith("山田\nBcc: x@evil.example {{shop_name}}\n")).toBe(true);
  });

  it("turns blank lines into paragraphs and single line breaks into <br>, whatever the line endings", () => {
    const template: MailTemplate = { subject: { ja: "件名", en: "" }, body: { ja: "一行目\r\n二行目\r\n\r\n\r\n\r\n次の段落", en: "" } };
    const mail = renderMail(template, "ja", vars(), { unsubscribeUrl: URL_ });
    expect(mail.text.startsWith("一行目\n二行目\n\n次の段落\n\n-- \n")).toBe(true);
    expect(mail.html).toContain("<p>一行目<br>\n二行目</p>\n<p>次の段落</p>");
  });
});

describe("checkMailTemplate", () => {
  const withJa = (subject: string, body: string): MailTemplate => ({ subject: { ja: subject, en: "Hello" }, body: { ja: body, en: "Hello" } });

  it("accepts the defaults", () => {
    expect(checkMailTemplate(defaultFollowUpTemplate())).toEqual({});
  });

  it.each<[string, MailTemplate, Record<string, { en: string; ja: string }>]>([
    ["an empty subject", withJa(" ", "本文"), { "subject.ja": { en: "Enter the subject.", ja: "件名を入力してください。" } }],
    ["an empty body", withJa("件名", ""), { "body.ja": { en: "Enter the message.", ja: "本文を入力してください。" } }],
    [
      "a subject of 201 characters",
      withJa("あ".repeat(201), "本文"),
      { "subject.ja": { en: "Keep the subject to 200 characters or fewer.", ja: "件名は200文字以内にしてください。" } },
    ],
    [
      "an unknown variable",
      withJa("{{coupon}}", "本文"),
      {
        "subject.ja": {
          en: "Unknown variable “coupon”. Use one of: {{customer_name}}, {{first_name}}, {{last_name}}, {{rank}}, {{next_rank}}, {{progress}}, {{orders_to_next}}, {{amount_to_next}}, {{shop_name}}.",
          ja: "「coupon」という変数はありません。使える変数：{{customer_name}}, {{first_name}}, {{last_name}}, {{rank}}, {{next_rank}}, {{progress}}, {{orders_to_next}}, {{amount_to_next}}, {{shop_name}}",
        },
      },
    ],
    [
      "a nested section (one error, not two)",
      withJa("件名", "{{#rank}}{{#progress}}x{{/progress}}{{/rank}}"),
      { "body.ja": { en: "Sections cannot be nested.", ja: "{{#…}} の中に {{#…}} は入れられません。" } },
    ],
    [
      "an unclosed section",
      withJa("件名", "{{#rank}}ランク"),
      { "body.ja": { en: "{{#rank}} is never closed with {{/rank}}.", ja: "{{#rank}} を {{/rank}} で閉じてください。" } },
    ],
    [
      "a stray close",
      withJa("件名", "ランク{{/rank}}"),
      { "body.ja": { en: "{{/rank}} has no matching {{#rank}}.", ja: "{{/rank}} に対応する {{#rank}} がありません。" } },
    ],
    ["an unclosed tag", withJa("件名", "{{shop_name"), { "body.ja": { en: "“{{” is not closed with “}}”.", ja: "「{{」に対応する「}}」がありません。" } }],
  ])("rejects %s", (_name, template, expected) => {
    expect(checkMailTemplate(template)).toEqual(expected);
  });

  it("allows a body of 5000 characters but not 5001", () => {
    expect(checkMailTemplate(withJa("件名", "あ".repeat(5000)))).toEqual({});
    expect(Object.keys(checkMailTemplate(withJa("件名", "あ".repeat(5001))))).toEqual(["body.ja"]);
  });
});
