/**
 * Mail delivery against a real SMTP server on loopback (smtp-server), asserting on the raw
 * messages it receives — decoded here by a small independent MIME reader, so a header nodemailer
 * encoded wrongly would not decode to the expected text. No database is involved.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultRankTiers, rankProgress } from "~/domain/rank";
import type { SmtpSettings } from "~/domain/smtp-settings";
import { verifyUnsubscribeToken } from "~/domain/unsubscribe-token";
import { derivedKeys, parseKey, type Keyring } from "~/lib/secret-box.server";
import { classifyMailFailure } from "~/mail/failure";
import { defaultFollowUpTemplate, mailVariables, renderMail } from "~/mail/render";
import { messageIdFor, sendMail, type OutgoingMail } from "~/mail/send.server";
import { MailTransports } from "~/mail/transport.server";
import { checkUnsubscribeToken, unsubscribeLink } from "~/mail/unsubscribe.server";

// ---------------------------------------------------------------------------------------------
// A loopback SMTP server that records what it receives.

interface Received {
  mailFrom: string;
  rcptTo: string[];
  user: string | undefined;
  raw: string;
}

interface TestServer {
  port: number;
  received: Received[];
  connections: number;
  closes: number;
  /** Resolves when the server has seen `n` connections end. */
  closed(n: number): Promise<void>;
  stop(): Promise<void>;
}

const USER = "shop-user";
const SECOND_USER = "second-user";
const PASSWORD = "correct horse ♥ battery";

async function startServer(options: Partial<SMTPServerOptions> = {}): Promise<TestServer> {
  const received: Received[] = [];
  let closedCount = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const state = { connections: 0 };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onClose() {
      closedCount++;
      for (const w of waiters.filter((w) => closedCount >= w.n)) w.resolve();
    },
    onAuth(auth, _session, callback) {
      if ((auth.username === USER || auth.username === SECOND_USER) && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(new Error("5.7.8 Authentication credentials invalid"));
    },
    onRcptTo(address, _session, callback) {
      const local = address.address.split("@")[0];
      if (local === "busy") return callback(Object.assign(new Error("4.2.1 Mailbox busy, try again later"), { responseCode: 451 }));
      if (local === "gone") return callback(Object.assign(new Error("5.1.1 Mailbox unavailable"), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString("latin1"),
        });
        callback(null, "2.0.0 Ok: queued");
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    get connections() {
      return state.connections;
    },
    get closes() {
      return closedCount;
    },
    closed: (n) =>
      new Promise<void>((resolve) => {
        if (closedCount >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// A small MIME reader (RFC 5322 unfolding, RFC 2047 encoded words, multipart, QP / base64).

interface Part {
  headers: Map<string, string>;
  body: Buffer;
}

function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, end).replace(/\r\n(?=[ \t])/g, "");
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

function decodeQ(text: string, underscoreIsSpace: boolean): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "=" && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c === "_" && underscoreIsSpace ? 0x20 : c.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

/** "=?UTF-8?B?5bGx55Sw?= <a@b>" → "山田 <a@b>"; adjacent encoded words join without the space between. */
function decodeHeader(value: string): string {
  let out = "";
  let pending: Buffer[] = [];
  const flush = () => {
    out += Buffer.concat(pending).toString("utf8");
    pending = [];
  };
  for (const piece of value.split(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)/)) {
    const word = /^=\?([^?]+)\?([BbQq])\?([^?]*)\?=$/.exec(piece);
    if (word) {
      expect(word[1]!.toUpperCase()).toBe("UTF-8");
      pending.push(word[2]!.toUpperCase() === "B" ? Buffer.from(word[3]!, "base64") : decodeQ(word[3]!, true));
    } else if (piece.trim() === "" && pending.length > 0) {
      continue;
    } else {
      flush();
      out += piece;
    }
  }
  flush();
  return out;
}

function decodeBody(part: { headers: Map<string, string>; body: string }): Buffer {
  const encoding = (part.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64");
  if (encoding === "quoted-printable") return decodeQ(part.body.replace(/=\r\n/g, ""), false);
  return Buffer.from(part.body, "latin1");
}

function readMessage(raw: string): { headers: Map<string, string>; parts: Part[] } {
  const top = splitEntity(raw);
  const type = top.headers.get("content-type") ?? "";
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (!boundary) return { headers: top.headers, parts: [{ headers: top.headers, body: decodeBody(top) }] };
  const sections = top.body.split(`--${boundary}`).slice(1, -1);
  const parts = sections.map((s) => {
    const entity = splitEntity(s.replace(/^\r\n/, ""));
    return { headers: entity.headers, body: decodeBody({ ...entity, body: entity.body.replace(/\r\n$/, "") }) };
  });
  return { headers: top.headers, parts };
}

// ---------------------------------------------------------------------------------------------

const SHOP = "yamada-shoten.myshopify.com";
const APP_URL = "https://tokui.example.com";
const keyring: Keyring = { current: parseKey(Buffer.alloc(32, 7).toString("base64")), previous: [] };

function settingsFor(port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    host: "127.0.0.1",
    port,
    security: "none",
    auth: { user: USER, password: PASSWORD },
    fromAddress: "info@yamada-shoten.jp",
    fromName: "山田商店",
    replyTo: "support@yamada-shoten.jp",
    ...overrides,
  };
}

function followUp(to: string, lastName = "山田", now = new Date("2026-12-01T00:00:00Z")) {
  const tiers = defaultRankTiers("JPY");
  const link = unsubscribeLink({ keyring, appUrl: APP_URL, shop: SHOP, customerGid: "gid://shopify/Customer/42", campaign: "journey:first:1", now });
  const variables = mailVariables({
    customer: { firstName: "花子", lastName },
    rank: rankProgress({ orderCount: 1, windowSpent: 3_000n }, tiers),
    currency: "JPY",
    shopName: "山田商店 & Co.",
    locale: "ja",
  });
  const rendered = renderMail(defaultFollowUpTemplate(), "ja", variables, { unsubscribeUrl: link.url });
  const mail: OutgoingMail = { to: { address: to, name: `${lastName} 花子` }, ...rendered, unsubscribe: { url: link.url } };
  return { mail, rendered, link };
}

describe("sending through a loopback SMTP server", () => {
  let server: TestServer;
  let transports: MailTransports;

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => transports?.closeAll());
  afterAll(() => server.stop());

  it("delivers a Japanese follow-up: encoded headers, RFC 8058 headers, text and escaped HTML parts", async () => {
    transports = new MailTransports();
    const { mail, rendered, link } = followUp("hanako@example.com", "<script>alert(1)</script>");
    const result = await sendMail(settingsFor(server.port), mail, { shop: SHOP, idempotencyKey: "send-1", transports });

    expect(result).toEqual({ status: "sent", messageId: messageIdFor(SHOP, "send-1", "info@yamada-shoten.jp"), smtpReply: expect.stringMatching(/^250 /) });
    const delivered = server.received.at(-1)!;
    expect(delivered).toMatchObject({ mailFrom: "info@yamada-shoten.jp", rcptTo: ["hanako@example.com"], user: USER });

    const { headers, parts } = readMessage(delivered.raw);
    // Raw headers are 7-bit: Japanese only as UTF-8 encoded words.
    expect(delivered.raw.slice(0, delivered.raw.indexOf("\r\n\r\n"))).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    expect(headers.get("subject")).toMatch(/^=\?UTF-8\?[BQ]\?/i);
    expect(decodeHeader(headers.get("subject")!)).toBe("【山田商店 & Co.】お届けした商品はいかがでしょうか");
    expect(headers.get("from")).toMatch(/=\?UTF-8\?[BQ]\?/i);
    expect(decodeHeader(headers.get("from")!)).toMatch(/^"?山田商店"? <info@yamada-shoten\.jp>$/);
    expect(decodeHeader(headers.get("to")!)).toMatch(/<hanako@example\.com>$/);
    expect(headers.get("reply-to")).toBe("support@yamada-shoten.jp");
    expect(headers.get("message-id")).toBe(result.messageId);
    expect(result.messageId).toMatch(/^<[0-9a-f]{32}\.tokui@yamada-shoten\.jp>$/);
    expect(headers.get("list-unsubscribe")).toBe(`<${link.url}>`);
    expect(headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(headers.get("mime-version")).toBe("1.0");
    expect(headers.get("content-type")).toMatch(/^multipart\/alternative;/);

    // The link in the header is the one the page will verify.
    const token = new URL(headers.get("list-unsubscribe")!.slice(1, -1)).searchParams.get("token")!;
    expect(checkUnsubscribeToken(token, keyring, new Date("2026-12-02T00:00:00Z"), SHOP)).toMatchObject({
      ok: true,
      claims: { shop: SHOP, customerGid: "gid://shopify/Customer/42", campaign: "journey:first:1" },
    });

    expect(parts.map((p) => p.headers.get("content-type"))).toEqual(["text/plain; charset=utf-8", "text/html; charset=utf-8"]);
    const text = parts[0]!.body.toString("utf8").replace(/\r\n/g, "\n");
    const html = parts[1]!.body.toString("utf8").replace(/\r\n/g, "\n");
    expect(text).toBe(rendered.text);
    expect(text).toContain("<script>alert(1)</script> 花子様");
    expect(text).toContain("あと1回のご購入で2回目です。");
    expect(html).toBe(rendered.html);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; 花子様");
    expect(html).not.toContain("<script>");
    expect(html).toContain("山田商店 &amp; Co.");
    expect(html).toContain(`<a href="${link.url}">配信停止</a>`);
  });

  it("gives a retry of the same mail the same Message-ID and reuses one pooled connection per shop", async () => {
    transports = new MailTransports({ maxConnections: 1 });
    const before = server.connections;
    const settings = settingsFor(server.port);
    const first = await sendMail(settings, followUp("a@example.com").mail, { shop: SHOP, idempotencyKey: "send-7", transports });
    const again = await sendMail(settings, followUp("a@example.com").mail, { shop: SHOP, idempotencyKey: "send-7", transports });
    const other = await sendMail(settings, followUp("b@example.com").mail, { shop: SHOP, idempotencyKey: "send-8", transports });
    const otherShop = await sendMail(settings, followUp("c@example.com").mail, { shop: "other.myshopify.com", idempotencyKey: "send-7", transports });

    expect([first.status, again.status, other.status, otherShop.status]).toEqual(["sent", "sent", "sent", "sent"]);
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(otherShop.messageId).not.toBe(first.messageId);
    const ids = server.received.slice(-4).map((r) => readMessage(r.raw).headers.get("message-id"));
    expect(ids).toEqual([first.messageId, first.messageId, other.messageId, otherShop.messageId]);
    // Three mails of one shop over one connection; the other shop has its own pool.
    expect(server.connections - before).toBe(2);
    expect(transports.size).toBe(2);
  });

  it("replaces a shop's pool when its connection settings change, and closes every connection on shutdown", async () => {
    transports = new MailTransports({ maxConnections: 1 }); // one connection: reuse is certain, not a race
    const opened = server.connections;
    const closed = server.closes;
    const send = (settings: SmtpSettings, key: string) => sendMail(settings, followUp("a@example.com").mail, { shop: SHOP, idempotencyKey: key, transports });

    expect((await send(settingsFor(server.port), "p-1")).status).toBe("sent");
    // Another sender name is per message: the connection is reused.
    expect((await send(settingsFor(server.port, { fromName: "山田商店 本店" }), "p-2")).status).toBe("sent");
    expect(server.connections).toBe(opened + 1);
    // Other credentials: a new pool, and the old one is closed.
    expect((await send(settingsFor(server.port, { auth: { user: SECOND_USER, password: PASSWORD } }), "p-3")).status).toBe("sent");
    expect(server.connections).toBe(opened + 2);
    expect(server.received.at(-1)!.user).toBe(SECOND_USER);
    await server.closed(closed + 1);
    expect(transports.size).toBe(1);

    transports.closeAll();
    expect(transports.size).toBe(0);
    await server.closed(closed + 2);
  });

  it("reports a wrong password as a permanent failure of the settings, with the server's reply", async () => {
    transports = new MailTransports();
    const count = server.received.length;
    const result = await sendMail(settingsFor(server.port, { auth: { user: USER, password: "wrong" } }), followUp("a@example.com").mail, {
      shop: SHOP,
      idempotencyKey: "auth-1",
      transports,
    });
    expect(result.status).toBe("permanent");
    if (result.status === "sent") return;
    expect(result.failure).toMatchObject({ retry: false, kind: "auth", affectsAllMail: true, responseCode: 535, code: "EAUTH" });
    expect(result.failure.smtpReply).toBe("535 5.7.8 Authentication credentials invalid");
    expect(result.failure.message.en).toBe(
      "The SMTP server did not accept the user name or password. Check them in the mail settings. Server reply: 535 5.7.8 Authentication credentials invalid",
    );
    expect(result.failure.message.ja).toMatch(/^SMTPサーバーがユーザー名またはパスワードを受け付けませんでした。/);
    expect(server.received.length).toBe(count);
  });

  it("reports a server that requires a login, when none is set, as an auth problem", async () => {
    transports = new MailTransports();
    const result = await sendMail(settingsFor(server.port, { auth: null }), followUp("a@example.com").mail, { shop: SHOP, idempotencyKey: "auth-2", transports });
    expect(result).toMatchObject({ status: "permanent", failure: { kind: "auth", responseCode: 530 } });
  });

  it("treats 451 as retry-later and 550 as permanent, keeping the SMTP reply", async () => {
    transports = new MailTransports();
    const count = server.received.length;
    const busy = await sendMail(settingsFor(server.port), followUp("busy@example.com").mail, { shop: SHOP, idempotencyKey: "r-1", transports });
    const gone = await sendMail(settingsFor(server.port), followUp("gone@example.com").mail, { shop: SHOP, idempotencyKey: "r-2", transports });
    const fine = await sendMail(settingsFor(server.port), followUp("fine@example.com").mail, { shop: SHOP, idempotencyKey: "r-3", transports });

    expect(busy).toMatchObject({
      status: "retry",
      failure: { retry: true, kind: "deferred", affectsAllMail: false, responseCode: 451, command: "RCPT TO", smtpReply: "451 4.2.1 Mailbox busy, try again later" },
    });
    expect(gone).toMatchObject({
      status: "permanent",
      failure: { retry: false, kind: "rejected", affectsAllMail: false, responseCode: 550, command: "RCPT TO", smtpReply: "550 5.1.1 Mailbox unavailable" },
    });
    // A refused recipient does not spoil the pooled connection for the next mail.
    expect(fine.status).toBe("sent");
    expect(server.received.slice(count).map((r) => r.rcptTo)).toEqual([["fine@example.com"]]);
  });
});

it("treats a refused connection as retry-later", async () => {
  const transports = new MailTransports();
  try {
    const port = await closedPort();
    const result = await sendMail(settingsFor(port), followUp("a@example.com").mail, { shop: SHOP, idempotencyKey: "c-1", transports });
    expect(result).toMatchObject({ status: "retry", failure: { retry: true, kind: "connection", affectsAllMail: true } });
    if (result.status !== "sent") expect(result.failure.code).toMatch(/ECONNREFUSED/);
  } finally {
    transports.closeAll();
  }
});

describe("STARTTLS with a self-signed certificate made for the test", () => {
  let dir: string;
  let cert: string;
  let server: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tokui-mail-tls-"));
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    cert = readFileSync(path.join(dir, "cert.pem"), "utf8");
    server = await startServer({ disabledCommands: [], allowInsecureAuth: false, key: readFileSync(path.join(dir, "key.pem")), cert });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("upgrades the connection before logging in when the certificate is trusted", async () => {
    const transports = new MailTransports({ tls: { ca: cert } });
    try {
      const result = await sendMail(settingsFor(server.port, { security: "starttls" }), followUp("a@example.com").mail, {
        shop: SHOP,
        idempotencyKey: "tls-1",
        transports,
      });
      expect(result.status).toBe("sent");
      expect(server.received.at(-1)).toMatchObject({ user: USER, rcptTo: ["a@example.com"] });
    } finally {
      transports.closeAll();
    }
  });

  it("refuses a certificate nobody vouches for, as a permanent settings problem, sending nothing", async () => {
    const transports = new MailTransports();
    try {
      const count = server.received.length;
      const result = await sendMail(settingsFor(server.port, { security: "starttls" }), followUp("a@example.com").mail, {
        shop: SHOP,
        idempotencyKey: "tls-2",
        transports,
      });
      expect(result).toMatchObject({ status: "permanent", failure: { kind: "tls", affectsAllMail: true } });
      expect(server.received.length).toBe(count);
    } finally {
      transports.closeAll();
    }
  });
});

it("refuses to send without STARTTLS when the settings require it", async () => {
  const plain = await startServer();
  const transports = new MailTransports();
  try {
    const result = await sendMail(settingsFor(plain.port, { security: "starttls" }), followUp("a@example.com").mail, {
      shop: SHOP,
      idempotencyKey: "tls-3",
      transports,
    });
    expect(result).toMatchObject({ status: "permanent", failure: { kind: "tls", command: "STARTTLS", affectsAllMail: true } });
    expect(plain.received).toEqual([]);
  } finally {
    transports.closeAll();
    await plain.stop();
  }
});

it("signs unsubscribe links with a key derived for that purpose only", () => {
  const { link } = followUp("a@example.com");
  const token = new URL(link.url).searchParams.get("token")!;
  const now = new Date("2026-12-02T00:00:00Z");
  expect(verifyUnsubscribeToken(token, { secrets: derivedKeys(keyring, "unsubscribe-link"), now }).ok).toBe(true);
  expect(verifyUnsubscribeToken(token, { secrets: [keyring.current.bytes], now })).toEqual({ ok: false, reason: "forged" });
});

describe("classifyMailFailure on errors the loopback server is not made to give", () => {
  const smtpError = (code: string, response?: string, command?: string, originalCode?: string) =>
    Object.assign(new Error("x"), { code, response, command, originalCode, responseCode: response ? Number(response.slice(0, 3)) : undefined });

  it.each([
    ["421 closing for everyone", smtpError("EENVELOPE", "421 4.3.2 Shutting down", "MAIL FROM"), { retry: true, kind: "deferred", affectsAllMail: true }],
    ["454 login not possible right now", smtpError("EAUTH", "454 4.7.0 Temporary authentication failure", "AUTH PLAIN"), { retry: true, kind: "auth", affectsAllMail: true }],
    ["a connection lost during AUTH", smtpError("ECONNECTION", undefined, "AUTH PLAIN", "ECONNRESET"), { retry: true, kind: "connection" }],
    ["552 message too large", smtpError("EMESSAGE", "552 5.3.4 Message too big", "DATA"), { retry: false, kind: "rejected", affectsAllMail: false }],
    ["554 refused as spam after DATA", smtpError("EMESSAGE", "554 5.7.1 Rejected", "DATA"), { retry: false, kind: "rejected" }],
    ["an invalid recipient found before sending", smtpError("EENVELOPE", undefined, "API"), { retry: false, kind: "invalid" }],
    ["an expired server certificate", smtpError("ESOCKET", undefined, "CONN", "CERT_HAS_EXPIRED"), { retry: false, kind: "tls", affectsAllMail: true }],
    ["a DNS failure", smtpError("EDNS", undefined, "CONN", "ENOTFOUND"), { retry: true, kind: "connection" }],
    ["a closed pool", new Error("Connection pool was closed"), { retry: true, kind: "unknown", affectsAllMail: false }],
    ["not even an Error", "boom", { retry: true, kind: "unknown", detail: "boom" }],
  ])("%s", (_name, error, expected) => {
    expect(classifyMailFailure(error)).toMatchObject(expected);
  });
});
