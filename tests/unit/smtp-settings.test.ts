import { describe, expect, it } from "vitest";
import { parseSmtpSettings, smtpSettingsToInput, type SmtpSettingsInput } from "~/domain/smtp-settings";

const valid: SmtpSettingsInput = {
  host: "smtp.example.jp",
  port: "587",
  security: "starttls",
  user: "info@yamada-shoten.jp",
  password: "s3cret pass",
  fromAddress: "info@yamada-shoten.jp",
  fromName: "山田商店",
  replyTo: "",
};

const errorsOf = (input: Partial<SmtpSettingsInput>, options = {}) => {
  const result = parseSmtpSettings({ ...valid, ...input }, options);
  return result.ok ? {} : result.errors;
};

describe("parseSmtpSettings", () => {
  it("reads a complete form", () => {
    expect(parseSmtpSettings({ ...valid, replyTo: "support@yamada-shoten.jp" })).toEqual({
      ok: true,
      settings: {
        host: "smtp.example.jp",
        port: 587,
        security: "starttls",
        auth: { user: "info@yamada-shoten.jp", password: "s3cret pass" },
        fromAddress: "info@yamada-shoten.jp",
        fromName: "山田商店",
        replyTo: "support@yamada-shoten.jp",
      },
    });
  });

  it("reads what a Japanese IME types: full-width host, port and address; surrounding spaces", () => {
    const result = parseSmtpSettings({ ...valid, host: " ＳＭＴＰ．ｅｘａｍｐｌｅ．ｊｐ ", port: "４６５", security: "tls", fromAddress: "ｉｎｆｏ＠ｙａｍａｄａ．ｊｐ" });
    expect(result).toMatchObject({ ok: true, settings: { host: "smtp.example.jp", port: 465, fromAddress: "info@yamada.jp" } });
  });

  it.each([
    ["tls", 465],
    ["starttls", 587],
  ])("takes the usual port for %s when the port is empty", (security, port) => {
    expect(parseSmtpSettings({ ...valid, security, port: "" })).toMatchObject({ ok: true, settings: { port } });
  });

  it("without a user, logs in as nobody; empty sender name and reply-to are null", () => {
    expect(parseSmtpSettings({ ...valid, user: "", password: "", fromName: " ", replyTo: "" })).toMatchObject({
      ok: true,
      settings: { auth: null, fromName: null, replyTo: null },
    });
  });

  it("keeps the stored password when the field is left empty, and replaces it when typed", () => {
    expect(parseSmtpSettings({ ...valid, password: "" }, { currentPassword: "stored" })).toMatchObject({ ok: true, settings: { auth: { password: "stored" } } });
    expect(parseSmtpSettings({ ...valid, password: "new" }, { currentPassword: "stored" })).toMatchObject({ ok: true, settings: { auth: { password: "new" } } });
  });

  it("allows an unencrypted connection only to this machine", () => {
    for (const host of ["127.0.0.1", "localhost", "::1"]) {
      expect(parseSmtpSettings({ ...valid, host, security: "none", port: "2525" }).ok).toBe(true);
    }
    expect(errorsOf({ security: "none", port: "25" }).security?.en).toMatch(/^Without encryption the password and your customers' mail would cross the network readable/);
  });

  it.each<[string, Partial<SmtpSettingsInput>, string, { en: string; ja: string }]>([
    ["empty host", { host: "" }, "host", { en: "Enter the SMTP server's host name.", ja: "SMTPサーバーのホスト名を入力してください。" }],
    [
      "a URL for a host",
      { host: "smtp://smtp.example.jp" },
      "host",
      { en: "Enter the host name alone, such as smtp.example.com (no “smtp://” or path).", ja: "smtp.example.com のようにホスト名だけを入力してください（「smtp://」やパスは不要です）。" },
    ],
    ["a host with a space", { host: "smtp example.jp" }, "host", { en: "This is not a valid host name.", ja: "ホスト名が正しくありません。" }],
    ["an IPv4 address out of range", { host: "300.1.1.1" }, "host", { en: "This is not a valid host name.", ja: "ホスト名が正しくありません。" }],
    ["no security", { security: "" }, "security", { en: "Choose how the connection is encrypted.", ja: "接続の暗号化方式を選んでください。" }],
    ["port 0", { port: "0" }, "port", { en: "Enter a port from 1 to 65535 (usually 587 or 465).", ja: "ポートは1〜65535で入力してください（通常は587または465）。" }],
    ["port 70000", { port: "70000" }, "port", { en: "Enter a port from 1 to 65535 (usually 587 or 465).", ja: "ポートは1〜65535で入力してください（通常は587または465）。" }],
    ["a port with letters", { port: "587a" }, "port", { en: "Enter a port from 1 to 65535 (usually 587 or 465).", ja: "ポートは1〜65535で入力してください（通常は587または465）。" }],
    [
      "TLS on 587",
      { security: "tls", port: "587" },
      "port",
      { en: "Port 587 starts unencrypted: choose STARTTLS, or port 465 for TLS.", ja: "ポート587は暗号化なしで始まります。STARTTLSを選ぶか、TLSならポート465にしてください。" },
    ],
    [
      "STARTTLS on 465",
      { security: "starttls", port: "465" },
      "port",
      { en: "Port 465 expects TLS from the start: choose TLS, or port 587 for STARTTLS.", ja: "ポート465は最初からTLSで接続します。TLSを選ぶか、STARTTLSならポート587にしてください。" },
    ],
    ["a user without password", { password: "" }, "password", { en: "Enter the password for this user.", ja: "このユーザーのパスワードを入力してください。" }],
    ["a password without user", { user: "" }, "user", { en: "Enter the user name that goes with the password.", ja: "パスワードに対応するユーザー名を入力してください。" }],
    ["a password with a line break", { password: "a\r\nb" }, "password", { en: "This password cannot be used.", ja: "このパスワードは使用できません。" }],
    ["no sender address", { fromAddress: "" }, "fromAddress", { en: "Enter the sender address.", ja: "送信元メールアドレスを入力してください。" }],
    [
      "a sender address without domain",
      { fromAddress: "info@localhost" },
      "fromAddress",
      { en: "Enter an address such as shop@example.com.", ja: "shop@example.com のようにメールアドレスを入力してください。" },
    ],
    [
      "a sender address with a display name",
      { fromAddress: "Shop <info@example.jp>" },
      "fromAddress",
      { en: "Enter an address such as shop@example.com.", ja: "shop@example.com のようにメールアドレスを入力してください。" },
    ],
    ["a sender name with a line break", { fromName: "山田商店\r\nBcc: x@evil.example" }, "fromName", { en: "The sender name must be one line.", ja: "送信者名は1行で入力してください。" }],
    ["a sender name of 101 characters", { fromName: "店".repeat(101) }, "fromName", { en: "Keep the sender name to 100 characters or fewer.", ja: "送信者名は100文字以内にしてください。" }],
    [
      "a bad reply-to",
      { replyTo: "support" },
      "replyTo",
      { en: "Enter an address such as support@example.com, or leave it empty.", ja: "support@example.com のようにメールアドレスを入力するか、空欄にしてください。" },
    ],
  ])("rejects %s", (_name, input, field, message) => {
    expect(errorsOf(input)).toEqual({ [field]: message });
  });

  it("accepts a sender name of exactly 100 characters", () => {
    expect(parseSmtpSettings({ ...valid, fromName: "店".repeat(100) }).ok).toBe(true);
  });

  it("reports every problem at once", () => {
    expect(Object.keys(errorsOf({ host: "", port: "x", fromAddress: "nope", replyTo: "nope" })).sort()).toEqual(["fromAddress", "host", "port", "replyTo"]);
  });
});

it("smtpSettingsToInput shows saved settings without the password, and reads back the same", () => {
  const parsed = parseSmtpSettings({ ...valid, replyTo: "support@yamada-shoten.jp" });
  if (!parsed.ok) throw new Error("valid settings rejected");
  const input = smtpSettingsToInput(parsed.settings);
  expect(input.password).toBe("");
  expect(parseSmtpSettings(input, { currentPassword: "s3cret pass" })).toEqual(parsed);
});
