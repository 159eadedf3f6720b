/**
 * Sends one rendered mail through the shop's SMTP server (ADR 0020). Never throws for a failed
 * delivery: the result says sent / retry later / permanent, with the SMTP reply for the send log.
 *
 * Idempotency: the Message-ID is derived from the shop and the caller's idempotency key (one
 * per planned mail), so every attempt of the same mail carries the same Message-ID. Whether a
 * mail is sent at all is the scheduler's decision (one claimed row per mail); the Message-ID
 * makes an unavoidable duplicate recognisable — a retry after a connection lost between the
 * end of DATA and the server's "250" — and mailbox providers that de-duplicate by Message-ID
 * show it once.
 */
import { createHash } from "node:crypto";
import type { SMTPPoolSentMessageInfo } from "nodemailer";
import { addressDomain, type SmtpSettings } from "../domain/smtp-settings";
import { listUnsubscribeHeaders } from "../domain/unsubscribe-token";
import { classifyMailFailure, type MailFailure } from "./failure";
import { mailTransports, type MailTransports } from "./transport.server";

export interface OutgoingMail {
  to: { address: string; name: string | null };
  subject: string;
  text: string;
  html: string;
  /** Every mail carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  unsubscribe: { url: string; mailto?: string | null };
}

export interface SendOptions {
  shop: string;
  /** Stable across retries of the same mail, different for every other mail (e.g. the send-log row id). */
  idempotencyKey: string;
  transports?: MailTransports;
}

export type SendResult =
  | { status: "sent"; messageId: string; smtpReply: string | null }
  | { status: "retry" | "permanent"; messageId: string; failure: MailFailure };

/** "<3f…@example.jp>": 128 bits of SHA-256 over shop and key, at the sender's domain. */
export function messageIdFor(shop: string, idempotencyKey: string, fromAddress: string): string {
  const digest = createHash("sha256").update(`tokui message-id\0${shop}\0${idempotencyKey}`).digest("hex").slice(0, 32);
  return `<${digest}.tokui@${addressDomain(fromAddress)}>`;
}

export async function sendMail(settings: SmtpSettings, mail: OutgoingMail, options: SendOptions): Promise<SendResult> {
  if (options.idempotencyKey === "") throw new Error("sendMail needs an idempotency key");
  const messageId = messageIdFor(options.shop, options.idempotencyKey, settings.fromAddress);
  // Throws for a link that is not https: a configuration bug (SHOPIFY_APP_URL), not a delivery failure.
  const unsubscribe = listUnsubscribeHeaders(mail.unsubscribe.url, mail.unsubscribe.mailto);
  try {
    const transport = (options.transports ?? mailTransports).for(options.shop, settings);
    const info: SMTPPoolSentMessageInfo = await transport.sendMail({
      from: settings.fromName ? { name: settings.fromName, address: settings.fromAddress } : settings.fromAddress,
      to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
      replyTo: settings.replyTo ?? undefined,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      headers: {
        // Prepared: written as given (already checked to be one line), not re-encoded or folded.
        "List-Unsubscribe": { prepared: true, value: unsubscribe["List-Unsubscribe"] },
        "List-Unsubscribe-Post": { prepared: true, value: unsubscribe["List-Unsubscribe-Post"] },
      },
    });
    return { status: "sent", messageId, smtpReply: typeof info.response === "string" ? info.response : null };
  } catch (error) {
    const failure = classifyMailFailure(error);
    return { status: failure.retry ? "retry" : "permanent", messageId, failure };
  }
}
