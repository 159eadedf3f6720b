/**
 * What a failed send means for the scheduler and the send log (ADR 0020). Pure: it reads the
 * error nodemailer gives (code, SMTP reply) and never throws.
 *
 * - retry later: the server could not be reached or answered 4xx (greylisting, "try again").
 * - permanent: 5xx (550 mailbox unavailable, 535 wrong password) or a message nodemailer could
 *   not even send (no valid recipient). Sending the same mail again would fail the same way.
 * `affectsAllMail` marks failures of the connection or the settings rather than of this
 * message: every other mail of the shop would fail too, so the scheduler should pause the shop
 * (and tell the merchant) instead of working through its queue.
 */
import type { Localized } from "../domain/messages";

export type MailFailureKind = "connection" | "auth" | "tls" | "deferred" | "rejected" | "invalid" | "unknown";

export interface MailFailure {
  retry: boolean;
  kind: MailFailureKind;
  affectsAllMail: boolean;
  /** The SMTP reply as the server sent it ("550 5.1.1 No such user"), kept for the send log. */
  smtpReply: string | null;
  responseCode: number | null;
  /** The SMTP command the reply answered ("RCPT TO", "AUTH PLAIN", "CONN"). */
  command: string | null;
  /** nodemailer's error code (ECONNECTION, EAUTH, …) and the system one under it (ECONNREFUSED). */
  code: string | null;
  /** For the merchant, in both admin languages. */
  message: Localized;
  /** nodemailer's own message, for the log. */
  detail: string;
}

interface SmtpErrorLike {
  message?: unknown;
  code?: unknown;
  originalCode?: unknown;
  response?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

const CONNECTION_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "EPROTOCOL", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
// Node's certificate verification codes, as they arrive under ESOCKET.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_(GET|VERIFY)|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

function withReply(message: Localized, reply: string | null): Localized {
  if (reply === null) return message;
  return { en: `${message.en} Server reply: ${reply}`, ja: `${message.ja}サーバーの応答：${reply}` };
}

export function classifyMailFailure(error: unknown): MailFailure {
  const e: SmtpErrorLike = typeof error === "object" && error !== null ? (error as SmtpErrorLike) : {};
  const code = str(e.code);
  const originalCode = str(e.originalCode);
  const smtpReply = str(e.response)?.trim() ?? null;
  const replyCode = typeof e.responseCode === "number" ? e.responseCode : Number(/^([2-5]\d\d)\b/.exec(smtpReply ?? "")?.[1]) || null;
  const command = str(e.command);
  const detail = str(e.message) ?? String(error);
  const base = { smtpReply, responseCode: replyCode, command, code: originalCode ? `${code}/${originalCode}` : code, detail };
  const temporary = replyCode !== null && replyCode >= 400 && replyCode < 500;

  // 530 "authentication required" can come as the answer to MAIL FROM when no user is set.
  // A connection lost during AUTH is a connection problem, not a refused login: a reply is needed.
  const authReply = replyCode !== null && (command?.startsWith("AUTH") ?? false);
  if (code === "EAUTH" || code === "ENOAUTH" || replyCode === 530 || replyCode === 534 || replyCode === 535 || authReply) {
    return {
      ...base,
      retry: temporary,
      kind: "auth",
      affectsAllMail: true,
      message: withReply(
        temporary
          ? { en: "The SMTP server could not check the login just now; it will be tried again.", ja: "SMTPサーバーが一時的にログインを確認できませんでした。後でもう一度送信します。" }
          : { en: "The SMTP server did not accept the user name or password. Check them in the mail settings.", ja: "SMTPサーバーがユーザー名またはパスワードを受け付けませんでした。メール設定を確認してください。" },
        smtpReply,
      ),
    };
  }
  if (code === "ETLS" || TLS_CODE.test(originalCode ?? "") || TLS_CODE.test(code ?? "")) {
    return {
      ...base,
      retry: temporary, // 454: TLS not available for a temporary reason
      kind: "tls",
      affectsAllMail: true,
      message: withReply(
        { en: "The encrypted connection to the SMTP server failed (certificate or TLS setting). Check the host name and the encryption setting.", ja: "SMTPサーバーとの暗号化接続に失敗しました（証明書またはTLSの設定）。ホスト名と暗号化方式を確認してください。" },
        smtpReply,
      ),
    };
  }
  if (replyCode !== null && replyCode >= 500) {
    return {
      ...base,
      retry: false,
      kind: "rejected",
      affectsAllMail: false,
      message: withReply({ en: "The SMTP server refused this mail.", ja: "SMTPサーバーがこのメールを拒否しました。" }, smtpReply),
    };
  }
  if (temporary) {
    // 421: the server is shutting the connection for everyone, not refusing this mail.
    return {
      ...base,
      retry: true,
      kind: "deferred",
      affectsAllMail: replyCode === 421,
      message: withReply({ en: "The SMTP server asked to try again later.", ja: "SMTPサーバーから時間をおいて再送するよう求められました。" }, smtpReply),
    };
  }
  if (CONNECTION_CODES.has(code ?? "") || CONNECTION_CODES.has(originalCode ?? "")) {
    return {
      ...base,
      retry: true,
      kind: "connection",
      affectsAllMail: true,
      message: {
        en: "Could not reach the SMTP server (connection refused, lost or timed out); it will be tried again. If this continues, check the host name and port.",
        ja: "SMTPサーバーに接続できませんでした（接続拒否・切断・タイムアウト）。後でもう一度送信します。続く場合はホスト名とポートを確認してください。",
      },
    };
  }
  if (code === "EENVELOPE" || code === "EMESSAGE" || code === "EMAXRECIPIENTS" || code === "ECONFIG") {
    return {
      ...base,
      retry: false,
      kind: "invalid",
      affectsAllMail: false,
      message: { en: `This mail could not be sent as it is: ${detail}`, ja: `このメールはこのままでは送信できません：${detail}` },
    };
  }
  // Anything else (a bug, an unknown code): retrying is safer than dropping; retries are capped.
  return {
    ...base,
    retry: true,
    kind: "unknown",
    affectsAllMail: false,
    message: { en: `Sending failed: ${detail}`, ja: `送信に失敗しました：${detail}` },
  };
}
