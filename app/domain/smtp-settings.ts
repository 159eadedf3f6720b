/**
 * The merchant's own SMTP server, through which Tokui sends follow-up mail (ADR 0020). Pure:
 * the settings form's text is read into SmtpSettings here, with errors in both admin languages.
 * The password is stored encrypted (app/lib/secret-box.server.ts); here it is plain text.
 */
import { fieldErrors, type FieldErrors } from "./form-input";
import type { Localized } from "./messages";

/**
 * How the connection is protected. "tls": TLS from the first byte (port 465, "SMTPS");
 * "starttls": plain connect, then STARTTLS is required before anything else is said (587);
 * "none": never encrypted — only to a relay on this machine.
 */
export type SmtpSecurity = "tls" | "starttls" | "none";
export const SMTP_SECURITY: readonly SmtpSecurity[] = ["tls", "starttls", "none"];

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** null: the server accepts mail without logging in (a relay that trusts this machine). */
  auth: { user: string; password: string } | null;
  fromAddress: string;
  /** Shown as the sender, e.g. 「山田商店」; null shows the address alone. */
  fromName: string | null;
  replyTo: string | null;
}

/** The form as typed: every field text. */
export interface SmtpSettingsInput {
  host: string;
  port: string;
  security: string;
  user: string;
  password: string;
  fromAddress: string;
  fromName: string;
  replyTo: string;
}

export const DEFAULT_PORTS: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 25 };

const MAX_FROM_NAME = 100;
const MAX_PASSWORD = 1024;
const MAX_ADDRESS = 254;

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
// ASCII addresses (the local part without quotes or spaces); enough for a shop's sender and
// reply-to, and nothing a header could be broken with.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.test(host);
}

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  if (/^[0-9.]+$/.test(host)) return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) && host.split(".").every((p) => Number(p) <= 255);
  if (host.includes(":")) return /^\[?[0-9A-Fa-f:.]+\]?$/.test(host);
  return host.split(".").every((label) => HOST_LABEL.test(label));
}

export function isMailAddress(text: string): boolean {
  return text.length <= MAX_ADDRESS && ADDRESS.test(text) && text.split("@")[0]!.length <= 64;
}

export type SmtpSettingsParse = { ok: true; settings: SmtpSettings } | { ok: false; errors: FieldErrors };

/**
 * Reads the settings form. A blank password keeps `currentPassword` (the form never shows the
 * stored one), so saving other fields does not ask for it again.
 */
export function parseSmtpSettings(input: SmtpSettingsInput, options: { currentPassword?: string | null } = {}): SmtpSettingsParse {
  const errors: { field: string; message: Localized }[] = [];
  const add = (field: string, en: string, ja: string) => errors.push({ field, message: { en, ja } });

  // Full-width characters typed by a Japanese IME (ｓｍｔｐ．ｅｘａｍｐｌｅ．ｊｐ, ５８７) become ASCII.
  const host = input.host.normalize("NFKC").trim().toLowerCase();
  if (host === "") add("host", "Enter the SMTP server's host name.", "SMTPサーバーのホスト名を入力してください。");
  else if (/^[a-z]+:\/\//.test(host) || host.includes("/")) {
    add("host", "Enter the host name alone, such as smtp.example.com (no “smtp://” or path).", "smtp.example.com のようにホスト名だけを入力してください（「smtp://」やパスは不要です）。");
  } else if (!isHostName(host)) add("host", "This is not a valid host name.", "ホスト名が正しくありません。");

  const security = SMTP_SECURITY.find((s) => s === input.security.trim());
  if (!security) add("security", "Choose how the connection is encrypted.", "接続の暗号化方式を選んでください。");

  const portText = input.port.normalize("NFKC").trim();
  const port = portText === "" && security ? DEFAULT_PORTS[security] : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) add("port", "Enter a port from 1 to 65535 (usually 587 or 465).", "ポートは1〜65535で入力してください（通常は587または465）。");
  else if (security === "tls" && (port === 587 || port === 25)) {
    add("port", `Port ${port} starts unencrypted: choose STARTTLS, or port 465 for TLS.`, `ポート${port}は暗号化なしで始まります。STARTTLSを選ぶか、TLSならポート465にしてください。`);
  } else if (security === "starttls" && port === 465) {
    add("port", "Port 465 expects TLS from the start: choose TLS, or port 587 for STARTTLS.", "ポート465は最初からTLSで接続します。TLSを選ぶか、STARTTLSならポート587にしてください。");
  }
  if (security === "none" && host !== "" && !isLoopbackHost(host)) {
    add(
      "security",
      "Without encryption the password and your customers' mail would cross the network readable. Choose TLS or STARTTLS (unencrypted is allowed only to this machine).",
      "暗号化しないと、パスワードとお客様へのメールがネットワーク上で読める状態になります。TLSまたはSTARTTLSを選んでください（暗号化なしはこのサーバー内への接続のみ可能です）。",
    );
  }

  const user = input.user.trim();
  let password = input.password;
  if (user !== "" && password === "" && options.currentPassword) password = options.currentPassword;
  if (CONTROL.test(user) || user.length > MAX_ADDRESS) add("user", "This user name cannot be used.", "このユーザー名は使用できません。");
  if (user !== "" && password === "") add("password", "Enter the password for this user.", "このユーザーのパスワードを入力してください。");
  if (user === "" && password !== "") add("user", "Enter the user name that goes with the password.", "パスワードに対応するユーザー名を入力してください。");
  if (/[\r\n]/.test(password) || password.length > MAX_PASSWORD) add("password", "This password cannot be used.", "このパスワードは使用できません。");

  const fromAddress = input.fromAddress.normalize("NFKC").trim();
  if (fromAddress === "") add("fromAddress", "Enter the sender address.", "送信元メールアドレスを入力してください。");
  else if (!isMailAddress(fromAddress)) add("fromAddress", "Enter an address such as shop@example.com.", "shop@example.com のようにメールアドレスを入力してください。");

  const fromName = input.fromName.trim();
  if (CONTROL.test(fromName)) add("fromName", "The sender name must be one line.", "送信者名は1行で入力してください。");
  else if ([...fromName].length > MAX_FROM_NAME) {
    add("fromName", `Keep the sender name to ${MAX_FROM_NAME} characters or fewer.`, `送信者名は${MAX_FROM_NAME}文字以内にしてください。`);
  }

  const replyTo = input.replyTo.normalize("NFKC").trim();
  if (replyTo !== "" && !isMailAddress(replyTo)) add("replyTo", "Enter an address such as support@example.com, or leave it empty.", "support@example.com のようにメールアドレスを入力するか、空欄にしてください。");

  if (errors.length > 0 || !security) return { ok: false, errors: fieldErrors(errors) };
  return {
    ok: true,
    settings: {
      host,
      port,
      security,
      auth: user === "" ? null : { user, password },
      fromAddress,
      fromName: fromName === "" ? null : fromName,
      replyTo: replyTo === "" ? null : replyTo,
    },
  };
}

/** What the form shows for saved settings; the password field stays empty. */
export function smtpSettingsToInput(settings: SmtpSettings): SmtpSettingsInput {
  return {
    host: settings.host,
    port: String(settings.port),
    security: settings.security,
    user: settings.auth?.user ?? "",
    password: "",
    fromAddress: settings.fromAddress,
    fromName: settings.fromName ?? "",
    replyTo: settings.replyTo ?? "",
  };
}

/** The address domain, for Message-IDs: "shop@example.jp" → "example.jp". */
export function addressDomain(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
