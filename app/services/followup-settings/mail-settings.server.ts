/**
 * The shop's SMTP settings (the Mail settings page): read for the form, validated and saved with
 * the password sealed (TOKUI_ENCRYPTION_KEY; the database never holds it in plain text), the
 * sending switch, and a test mail through the saved settings. ADR 0020, ADR 0023.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../db.server";
import type { FieldErrors } from "../../domain/form-input";
import { sendingHoursProblem, type SendingHours } from "../../domain/journeys";
import type { Localized } from "../../domain/messages";
import { defaultRankTiers, rankProgress } from "../../domain/rank";
import { isMailAddress, parseSmtpSettings, type SmtpSecurity, type SmtpSettings, type SmtpSettingsInput } from "../../domain/smtp-settings";
import { keyringFromEnv, openSecret, sealSecret, SecretBoxError, type Keyring } from "../../lib/secret-box.server";
import type { MailFailureKind } from "../../mail/failure";
import { defaultFollowUpTemplate, mailVariables, renderMail, type MailLocale } from "../../mail/render";
import { sendMail } from "../../mail/send.server";
import type { MailTransports } from "../../mail/transport.server";
import { unsubscribeLink } from "../../mail/unsubscribe.server";
import { ensureShop, shopDisplayName } from "../../models/shop.server";

/** The AAD the password is sealed under: an envelope copied into another shop's row does not open. */
export const passwordContext = (shop: string) => `smtp-password:${shop}`;

export interface MailSettingsForm extends SmtpSettingsInput {
  sendFromHour: string;
  sendToHour: string;
}

export interface MailSettingsView {
  /** null when TOKUI_ENCRYPTION_KEY is usable; otherwise what to set (from secret-box, English). */
  keyProblem: string | null;
  saved: boolean;
  enabled: boolean;
  /** A password is stored (the form never shows it). */
  hasPassword: boolean;
  form: MailSettingsForm;
}

function keyring(env: Record<string, string | undefined>): { keyring: Keyring } | { problem: string } {
  try {
    return { keyring: keyringFromEnv(env) };
  } catch (error) {
    if (error instanceof SecretBoxError) return { problem: error.message };
    throw error;
  }
}

const EMPTY_FORM: MailSettingsForm = {
  host: "",
  port: "587",
  security: "starttls",
  user: "",
  password: "",
  fromAddress: "",
  fromName: "",
  replyTo: "",
  sendFromHour: "9",
  sendToHour: "20",
};

export async function loadMailSettings(prisma: PrismaClient, shop: string, env = process.env): Promise<MailSettingsView> {
  const row = await prisma.mailSettings.findUnique({ where: { shop } });
  const keys = keyring(env);
  return {
    keyProblem: "problem" in keys ? keys.problem : null,
    saved: row !== null,
    enabled: row?.enabled ?? false,
    hasPassword: Boolean(row?.passwordSealed),
    form: row
      ? {
          host: row.host,
          port: String(row.port),
          security: row.security,
          user: row.username ?? "",
          password: "",
          fromAddress: row.fromAddress,
          fromName: row.fromName ?? "",
          replyTo: row.replyTo ?? "",
          sendFromHour: String(row.sendFromHour),
          sendToHour: String(row.sendToHour),
        }
      : { ...EMPTY_FORM },
  };
}

export type SaveMailSettingsResult = { ok: true } | { ok: false; errors: FieldErrors; message?: Localized };

const KEY_MISSING: Localized = {
  en: "Mail settings cannot be saved until the app's encryption key (TOKUI_ENCRYPTION_KEY) is set.",
  ja: "アプリの暗号化キー（TOKUI_ENCRYPTION_KEY）が設定されるまで、メール設定は保存できません。",
};

function hour(text: string): number {
  const clean = text.normalize("NFKC").trim();
  return /^\d{1,2}$/.test(clean) ? Number(clean) : Number.NaN;
}

/**
 * Validates and saves. A blank password keeps the stored one (opened only to check it still
 * opens: after a key change without TOKUI_ENCRYPTION_KEY_PREVIOUS it must be entered again).
 * Changing the settings never switches sending on; the switch is separate (setMailEnabled).
 */
export async function saveMailSettings(
  prisma: PrismaClient,
  shop: string,
  form: MailSettingsForm,
  env = process.env,
): Promise<SaveMailSettingsResult> {
  const keys = keyring(env);
  if ("problem" in keys) return { ok: false, errors: {}, message: KEY_MISSING };
  await ensureShop(prisma, shop);
  const row = await prisma.mailSettings.findUnique({ where: { shop } });
  let currentPassword: string | null = null;
  const errors: FieldErrors = {};
  if (row?.passwordSealed && form.password === "" && form.user.trim() !== "") {
    try {
      currentPassword = openSecret(row.passwordSealed, keys.keyring, passwordContext(shop));
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      errors.password = {
        en: "The stored password can no longer be read (the encryption key changed). Enter it again.",
        ja: "保存済みのパスワードを読み取れません（暗号化キーが変更されました）。もう一度入力してください。",
      };
    }
  }
  const parsed = parseSmtpSettings(form, { currentPassword });
  if (!parsed.ok) Object.assign(errors, parsed.errors, errors.password ? { password: errors.password } : {});
  const hours: SendingHours = { from: hour(form.sendFromHour), to: hour(form.sendToHour) };
  const hoursProblem = sendingHoursProblem(hours);
  if (hoursProblem) errors.sendingHours = hoursProblem;
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };

  const s = parsed.settings;
  const data = {
    host: s.host,
    port: s.port,
    security: s.security,
    username: s.auth?.user ?? null,
    passwordSealed: s.auth ? sealSecret(s.auth.password, keys.keyring, passwordContext(shop)) : null,
    fromAddress: s.fromAddress,
    fromName: s.fromName,
    replyTo: s.replyTo,
    sendFromHour: hours.from,
    sendToHour: hours.to,
    // Saving is how the merchant answers a pause (wrong password, server down): sending resumes.
    pausedAt: null,
    pauseReason: null,
  };
  await prisma.mailSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return { ok: true };
}

export type SetEnabledResult = { ok: true } | { ok: false; message: Localized };

export async function setMailEnabled(prisma: PrismaClient, shop: string, enabled: boolean): Promise<SetEnabledResult> {
  // Switching on also lifts a pause the sender set after a failure that affects every mail.
  const changed = await prisma.mailSettings.updateMany({ where: { shop }, data: enabled ? { enabled, pausedAt: null, pauseReason: null } : { enabled } });
  if (changed.count === 0) {
    return { ok: false, message: { en: "Save the SMTP settings first.", ja: "先にSMTP設定を保存してください。" } };
  }
  return { ok: true };
}

/** The saved settings with the password opened, for sending (the scheduler may use this too). */
export async function smtpSettingsFor(
  prisma: PrismaClient,
  shop: string,
  keys: Keyring,
): Promise<{ settings: SmtpSettings; enabled: boolean; hours: SendingHours } | null> {
  const row = await prisma.mailSettings.findUnique({ where: { shop } });
  if (!row) return null;
  const auth = row.username && row.passwordSealed ? { user: row.username, password: openSecret(row.passwordSealed, keys, passwordContext(shop)) } : null;
  return {
    settings: {
      host: row.host,
      port: row.port,
      security: row.security as SmtpSecurity,
      auth,
      fromAddress: row.fromAddress,
      fromName: row.fromName,
      replyTo: row.replyTo,
    },
    enabled: row.enabled,
    hours: { from: row.sendFromHour, to: row.sendToHour },
  };
}

export type TestMailResult =
  | { ok: true; to: string; messageId: string }
  | { ok: false; kind: MailFailureKind | "address" | "not-saved" | "key"; message: Localized; retry?: boolean };

/**
 * Sends the first follow-up's default text, with sample values, to `to` through the saved
 * settings — whether or not sending is switched on — and reports the classified failure.
 */
export async function sendTestMail(
  prisma: PrismaClient,
  shop: string,
  input: { to: string; locale: MailLocale; appUrl: string; now?: Date; transports?: MailTransports },
  env = process.env,
): Promise<TestMailResult> {
  const to = input.to.normalize("NFKC").trim();
  if (!isMailAddress(to)) {
    return { ok: false, kind: "address", message: { en: "Enter an address such as you@example.com.", ja: "you@example.com のようにメールアドレスを入力してください。" } };
  }
  const keys = keyring(env);
  if ("problem" in keys) return { ok: false, kind: "key", message: KEY_MISSING };
  let saved: Awaited<ReturnType<typeof smtpSettingsFor>>;
  try {
    saved = await smtpSettingsFor(prisma, shop, keys.keyring);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    return {
      ok: false,
      kind: "key",
      message: { en: "The stored password can no longer be read (the encryption key changed). Enter it again and save.", ja: "保存済みのパスワードを読み取れません（暗号化キーが変更されました）。もう一度入力して保存してください。" },
    };
  }
  if (!saved) return { ok: false, kind: "not-saved", message: { en: "Save the SMTP settings first.", ja: "先にSMTP設定を保存してください。" } };

  const now = input.now ?? new Date();
  const shopName = await shopDisplayName(prisma, shop, saved.settings.fromName);
  const tiers = defaultRankTiers("JPY");
  const variables = mailVariables({
    customer: input.locale === "ja" ? { firstName: "花子", lastName: "山田" } : { firstName: "Hanako", lastName: "Yamada" },
    rank: rankProgress({ orderCount: 1, windowSpent: 5_000n }, tiers),
    currency: "JPY",
    shopName,
    locale: input.locale,
  });
  // A real signed link (to no customer), so the footer and List-Unsubscribe work as in every mail.
  const link = unsubscribeLink({ keyring: keys.keyring, appUrl: input.appUrl, shop, customerGid: "test-mail", campaign: "test-mail", now });
  const rendered = renderMail(defaultFollowUpTemplate(), input.locale, variables, { unsubscribeUrl: link.url });
  const result = await sendMail(
    saved.settings,
    { to: { address: to, name: null }, subject: `[TEST] ${rendered.subject}`, text: rendered.text, html: rendered.html, unsubscribe: { url: link.url } },
    { shop, idempotencyKey: `test-mail:${randomUUID()}`, transports: input.transports },
  );
  if (result.status === "sent") return { ok: true, to, messageId: result.messageId };
  return { ok: false, kind: result.failure.kind, message: result.failure.message, retry: result.status === "retry" };
}
