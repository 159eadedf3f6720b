/**
 * The send log's words: MailSend statuses, the reason codes the scheduler writes into
 * MailSend.error, and their text for the merchant (ja/en). Pure and browser-safe.
 * Campaign definitions (Campaign.definition JSON) are app/services/followup-settings/definition.ts.
 */
import type { Localized } from "../../domain/messages";

const isLocalized = (v: unknown): v is Localized =>
  typeof v === "object" && v !== null && typeof (v as Localized).ja === "string" && typeof (v as Localized).en === "string";

/**
 * MailSend.messageId of a row delivered through Shopify Flow rather than SMTP (a Flow-only
 * shop): "sent" when its "Customer follow up due" trigger was queued (plan.server.ts).
 */
export const FLOW_MESSAGE_ID = "flow:tokui-follow-up-due";

export const MAIL_SEND_STATUSES = ["scheduled", "sending", "sent", "held", "skipped", "failed"] as const;
export type MailSendStatus = (typeof MAIL_SEND_STATUSES)[number];

/** MailSend.error of a "skipped" row. */
export const SKIP_REASONS = [
  "ordered-again",
  "bought-again",
  "unsubscribed",
  "no-email",
  "redacted",
  "too-late",
  "campaign-disabled",
  "campaign-changed",
  "reference-gone",
  "uninstalled",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

const SKIP_TEXT: Record<SkipReason, Localized> = {
  "ordered-again": { en: "Not sent: the customer ordered again.", ja: "未送信：お客様が再度購入しました。" },
  "bought-again": { en: "Not sent: the customer bought the product again.", ja: "未送信：お客様がこの商品を再度購入しました。" },
  unsubscribed: { en: "Not sent: the customer no longer accepts marketing email.", ja: "未送信：お客様がメール配信を停止しています。" },
  "no-email": { en: "Not sent: no email address.", ja: "未送信：メールアドレスがありません。" },
  redacted: { en: "Not sent: the customer's data was erased.", ja: "未送信：顧客データが削除されました。" },
  "too-late": { en: "Not sent: its time had passed (sending was paused or off).", ja: "未送信：配信時期を過ぎました（配信停止中でした）。" },
  "campaign-disabled": { en: "Not sent: the campaign was turned off.", ja: "未送信：キャンペーンが無効になりました。" },
  "campaign-changed": { en: "Not sent: the journey's mails were changed.", ja: "未送信：シナリオのメールが変更されました。" },
  "reference-gone": { en: "Not sent: the order it followed up was cancelled or removed.", ja: "未送信：対象の注文がキャンセルまたは削除されました。" },
  uninstalled: { en: "Not sent: the app was uninstalled from the shop.", ja: "未送信：アプリがアンインストールされました。" },
};

/** MailSend.error of a "failed" row (or of a "scheduled" row waiting for a retry): a MailFailureKind or "max-attempts". */
const FAILURE_TEXT: Record<string, Localized> = {
  rejected: { en: "The SMTP server refused this mail.", ja: "SMTPサーバーがこのメールを拒否しました。" },
  invalid: { en: "This mail could not be sent as it is.", ja: "このメールはこのままでは送信できません。" },
  auth: { en: "The SMTP server did not accept the login.", ja: "SMTPサーバーがログインを受け付けませんでした。" },
  tls: { en: "The encrypted connection to the SMTP server failed.", ja: "SMTPサーバーとの暗号化接続に失敗しました。" },
  connection: { en: "Could not reach the SMTP server.", ja: "SMTPサーバーに接続できませんでした。" },
  deferred: { en: "The SMTP server asked to try again later.", ja: "SMTPサーバーから時間をおいて再送するよう求められました。" },
  unknown: { en: "Sending failed.", ja: "送信に失敗しました。" },
  "max-attempts": { en: "Given up after repeated temporary failures.", ja: "一時的な失敗が続いたため送信を中止しました。" },
};

/** What a send-log row's error means, for the merchant (the SMTP reply appended when there is one). */
export function sendErrorText(row: { status: string; error: string | null; smtpReply?: string | null }): Localized | null {
  if (row.error === null) return null;
  const base = (SKIP_REASONS as readonly string[]).includes(row.error)
    ? SKIP_TEXT[row.error as SkipReason]
    : (FAILURE_TEXT[row.error] ?? { en: row.error, ja: row.error });
  if (!row.smtpReply || row.status === "sent") return base;
  return { en: `${base.en} Server reply: ${row.smtpReply}`, ja: `${base.ja}サーバーの応答：${row.smtpReply}` };
}

/** MailSettings.pauseReason is JSON of a Localized message (app/mail/failure.ts MailFailure.message). */
export function parsePauseReason(text: string | null): Localized | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (isLocalized(value)) return value;
  } catch {
    // an older or hand-written reason: show it as it is
  }
  return { en: text, ja: text };
}
