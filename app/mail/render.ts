/**
 * Follow-up mail text: a subject and a body per locale, in the thank-you messages' template
 * syntax ({{name}}, {{#name}}…{{/name}}; app/domain/messages.ts, ADR 0007), rendered into a
 * subject line, a text part and an HTML part. Pure (no Node APIs): the template editor can use
 * the checks and the preview in the browser.
 *
 * The body is plain text the merchant writes; the HTML part is made from the rendered text,
 * every character escaped, blank lines → paragraphs, line breaks → <br>. So neither the
 * template nor a customer's name can put markup into the mail. The unsubscribe footer is added
 * here, not by the template, so no template can leave it out.
 */
import { fieldErrors, type FieldErrors } from "../domain/form-input";
import { escapeHtml, progressText, renderTemplate, templateTokens, type Localized } from "../domain/messages";
import { displayMoney } from "../domain/money";
import type { RankProgress } from "../domain/rank";

export type MailLocale = "ja" | "en";
export const MAIL_LOCALES: readonly MailLocale[] = ["ja", "en"];

export const MAIL_VARIABLES = [
  "customer_name",
  "first_name",
  "last_name",
  "rank",
  "next_rank",
  "progress",
  "orders_to_next",
  "amount_to_next",
  "shop_name",
] as const;
export type MailVariable = (typeof MAIL_VARIABLES)[number];
export type MailVariables = Record<MailVariable, string | number | null>;

export interface MailTemplate {
  subject: Localized;
  body: Localized;
}

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_BODY_LENGTH = 5000;

/** The first follow-up, about three weeks after an order (MISSION.md); the merchant edits it. */
export function defaultFollowUpTemplate(): MailTemplate {
  return {
    subject: {
      ja: "【{{shop_name}}】お届けした商品はいかがでしょうか",
      en: "How are you enjoying your order from {{shop_name}}?",
    },
    body: {
      ja: [
        "{{#customer_name}}{{customer_name}}様\n\n{{/customer_name}}いつも{{shop_name}}をご利用いただき、誠にありがとうございます。",
        "お届けした商品はいかがでしょうか。お気づきの点がございましたら、このメールにご返信ください。",
        "{{#rank}}現在の会員ランクは「{{rank}}」です。{{/rank}}{{#progress}}{{progress}}です。{{/progress}}",
        "またのご来店を、スタッフ一同心よりお待ちしております。",
      ].join("\n\n"),
      en: [
        "{{#first_name}}Dear {{first_name}},\n\n{{/first_name}}Thank you for shopping at {{shop_name}}.",
        "We hope you are enjoying your order. If anything is not right, just reply to this email.",
        "{{#rank}}You are one of our {{rank}} customers.{{/rank}}{{#progress}} {{progress}}.{{/progress}}",
        "We look forward to seeing you again.",
      ].join("\n\n"),
    },
  };
}

export interface MailRecipient {
  firstName: string | null;
  lastName: string | null;
}

/**
 * The variables for one customer. `progress` is the thank-you page's 「あと2回のご購入でVIP」
 * and empty at the top rank, so a {{#progress}} section disappears there.
 */
export function mailVariables(input: {
  customer: MailRecipient;
  rank: RankProgress;
  currency: string;
  shopName: string;
  locale: MailLocale;
}): MailVariables {
  const { customer, rank, locale } = input;
  const first = customer.firstName?.trim() || null;
  const last = customer.lastName?.trim() || null;
  // 山田 花子 in Japanese, Hanako Yamada in English.
  const ordered = locale === "ja" ? [last, first] : [first, last];
  const fullName = ordered.filter((part) => part !== null).join(" ");
  const label = (tier: RankProgress["current"]) => (tier === null ? null : locale === "ja" ? tier.labelJa : tier.labelEn);
  return {
    customer_name: fullName === "" ? null : fullName,
    first_name: first,
    last_name: last,
    rank: label(rank.current),
    next_rank: label(rank.next),
    progress: rank.next === null ? null : progressText(rank, input.currency, locale),
    orders_to_next: rank.ordersToNext !== null && rank.ordersToNext > 0 ? rank.ordersToNext : null,
    amount_to_next: rank.amountToNext !== null && rank.amountToNext > 0n ? displayMoney(rank.amountToNext, input.currency, locale) : null,
    shop_name: input.shopName,
  };
}

const isMailVariable = (name: string): name is MailVariable => (MAIL_VARIABLES as readonly string[]).includes(name);

/** One subject or body: the structure rules of messages.ts parseTemplate with the mail's variables. */
function checkText(text: string, maxLength: number, what: { en: string; ja: string }): Localized[] {
  const errors: Localized[] = [];
  const known = MAIL_VARIABLES.map((v) => `{{${v}}}`).join(", ");
  if (text.trim() === "") errors.push({ en: `Enter the ${what.en}.`, ja: `${what.ja}を入力してください。` });
  if ([...text].length > maxLength) errors.push({ en: `Keep the ${what.en} to ${maxLength} characters or fewer.`, ja: `${what.ja}は${maxLength}文字以内にしてください。` });
  let open: string | null = null;
  const rejectedOpens: string[] = []; // their closes are not worth a second error
  for (const token of templateTokens(text)) {
    if (token.type === "text") {
      if (token.text.includes("{{")) errors.push({ en: "“{{” is not closed with “}}”.", ja: "「{{」に対応する「}}」がありません。" });
    } else if (token.type === "bad") {
      errors.push({ en: `${token.raw} is not a variable. Use one of: ${known}.`, ja: `${token.raw} は変数ではありません。使える変数：${known}` });
    } else if (!isMailVariable(token.name)) {
      errors.push({ en: `Unknown variable “${token.name}”. Use one of: ${known}.`, ja: `「${token.name}」という変数はありません。使える変数：${known}` });
    } else if (token.type === "open") {
      if (open === null) open = token.name;
      else {
        errors.push({ en: "Sections cannot be nested.", ja: "{{#…}} の中に {{#…}} は入れられません。" });
        rejectedOpens.push(token.name);
      }
    } else if (token.type === "close") {
      const rejected = rejectedOpens.lastIndexOf(token.name);
      if (rejected >= 0) rejectedOpens.splice(rejected, 1);
      else if (open === token.name) open = null;
      else errors.push({ en: `${token.raw} has no matching {{#${token.name}}}.`, ja: `${token.raw} に対応する {{#${token.name}}} がありません。` });
    }
  }
  if (open !== null) errors.push({ en: `{{#${open}}} is never closed with {{/${open}}}.`, ja: `{{#${open}}} を {{/${open}}} で閉じてください。` });
  return errors;
}

/** Errors keyed "subject.ja", "body.en", …; {} when the template can be saved. */
export function checkMailTemplate(template: MailTemplate): FieldErrors {
  const errors: { field: string; message: Localized }[] = [];
  for (const locale of MAIL_LOCALES) {
    for (const message of checkText(template.subject[locale], MAX_SUBJECT_LENGTH, { en: "subject", ja: "件名" })) {
      errors.push({ field: `subject.${locale}`, message });
    }
    for (const message of checkText(template.body[locale], MAX_BODY_LENGTH, { en: "message", ja: "本文" })) {
      errors.push({ field: `body.${locale}`, message });
    }
  }
  return fieldErrors(errors);
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const FOOTER: Record<MailLocale, { lead: string; link: string }> = {
  ja: { lead: "今後このようなメールの配信を希望されない場合は、こちらから配信停止できます：", link: "配信停止" },
  en: { lead: "If you would rather not receive these emails, you can unsubscribe here:", link: "Unsubscribe" },
};

export function renderMail(
  template: MailTemplate,
  locale: MailLocale,
  variables: MailVariables,
  options: { unsubscribeUrl: string },
): RenderedMail {
  // One line: a line break in a subject would end the header.
  const subject = renderTemplate(template.subject[locale], variables).replace(/[\r\n\t ]+/g, " ").trim();
  // Line endings normalised after rendering: a value (an address line, a note) may bring its own.
  const body = renderTemplate(template.body[locale], variables)
    .replace(/\r\n?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const footer = FOOTER[locale];
  const shop = String(variables.shop_name ?? "");

  const text = `${body}\n\n-- \n${shop}\n${footer.lead}\n${options.unsubscribeUrl}\n`;

  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split("\n").map(escapeHtml).join("<br>\n")}</p>`)
    .join("\n");
  const html = [
    "<!DOCTYPE html>",
    `<html lang="${locale}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.7; color: #222;">',
    paragraphs,
    '<hr style="border: none; border-top: 1px solid #ddd; margin: 2em 0 1em;">',
    `<p style="font-size: 12px; color: #666;">${escapeHtml(shop)}<br>\n${escapeHtml(footer.lead)} <a href="${escapeHtml(options.unsubscribeUrl)}">${footer.link}</a></p>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
  return { subject, text, html };
}
