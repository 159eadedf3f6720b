import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  listUnsubscribeHeaders,
  signUnsubscribeToken,
  unsubscribeExpiry,
  unsubscribeUrl,
  verifyUnsubscribeToken,
  type UnsubscribeClaims,
} from "~/domain/unsubscribe-token";

const SECRET = Buffer.alloc(32, 3);
const OLD_SECRET = Buffer.alloc(32, 4);
const NOW = new Date("2026-12-01T09:00:00Z");
const claims: UnsubscribeClaims = {
  shop: "yamada.myshopify.com",
  customerGid: "gid://shopify/Customer/1001",
  campaign: "journey:first:1",
  expiresAt: new Date("2026-12-31T00:00:00Z"),
};

describe("unsubscribe tokens", () => {
  it("is the payload and an HMAC-SHA256 over it, both base64url (checked by hand)", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    const payload = "u1\nyamada.myshopify.com\ngid://shopify/Customer/1001\njourney:first:1\n1798675200";
    const mac = createHmac("sha256", SECRET).update(payload).digest("base64url");
    expect(token).toBe(`${Buffer.from(payload).toString("base64url")}.${mac}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it("verifies a valid token, for its shop", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: NOW })).toEqual({ ok: true, claims });
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: NOW, shop: "yamada.myshopify.com" })).toEqual({ ok: true, claims });
  });

  it("refuses it for another shop", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: NOW, shop: "other.myshopify.com" })).toEqual({ ok: false, reason: "wrong-shop" });
  });

  it("is expired from the expiry second on, still saying whose it is", () => {
    const token = signUnsubscribeToken(claims, SECRET);
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: new Date("2026-12-30T23:59:59Z") }).ok).toBe(true);
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: claims.expiresAt })).toEqual({ ok: false, reason: "expired", claims });
  });

  it.each([
    ["another customer", (t: string) => reencode(t, (p) => p.replace("Customer/1001", "Customer/1002"))],
    ["another shop", (t: string) => reencode(t, (p) => p.replace("yamada.", "other."))],
    ["a later expiry", (t: string) => reencode(t, (p) => p.replace("1798675200", "1898675200"))],
    ["a changed MAC", (t: string) => `${t.split(".")[0]}.${Buffer.alloc(32, 0).toString("base64url")}`],
  ])("detects a forged token: %s", (_name, forge) => {
    const forged = forge(signUnsubscribeToken(claims, SECRET));
    expect(verifyUnsubscribeToken(forged, { secrets: [SECRET], now: NOW })).toEqual({ ok: false, reason: "forged" });
  });

  it("detects a token signed with another key", () => {
    const token = signUnsubscribeToken(claims, Buffer.alloc(32, 9));
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: NOW })).toEqual({ ok: false, reason: "forged" });
  });

  it("keeps accepting tokens signed before a key rotation", () => {
    const token = signUnsubscribeToken(claims, OLD_SECRET);
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET, OLD_SECRET], now: NOW })).toEqual({ ok: true, claims });
  });

  it.each(["", "abc", "abc.def", "a.b.c", `${"x".repeat(5)}.${"y".repeat(44)}`, "payload with space.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])("calls %j malformed", (token) => {
    expect(verifyUnsubscribeToken(token, { secrets: [SECRET], now: NOW })).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses to sign a field that would break the payload", () => {
    expect(() => signUnsubscribeToken({ ...claims, campaign: "a\nb" }, SECRET)).toThrow(/single lines/);
    expect(() => signUnsubscribeToken({ ...claims, shop: "" }, SECRET)).toThrow(/non-empty/);
  });

  it("expires 180 days after sending by default", () => {
    expect(unsubscribeExpiry(NOW)).toEqual(new Date("2027-05-30T09:00:00Z"));
  });
});

function reencode(token: string, change: (payload: string) => string): string {
  const [payload, mac] = token.split(".") as [string, string];
  return `${Buffer.from(change(Buffer.from(payload, "base64url").toString("utf8"))).toString("base64url")}.${mac}`;
}

describe("links and headers", () => {
  it("puts the token into the app's /unsubscribe link", () => {
    expect(unsubscribeUrl("https://tokui.example.com", "abc.def")).toBe("https://tokui.example.com/unsubscribe?token=abc.def");
  });

  it("writes the RFC 8058 headers, with an optional mailto", () => {
    expect(listUnsubscribeHeaders("https://tokui.example.com/unsubscribe?token=a.b")).toEqual({
      "List-Unsubscribe": "<https://tokui.example.com/unsubscribe?token=a.b>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(listUnsubscribeHeaders("https://tokui.example.com/u?t=1", "stop@yamada.jp")["List-Unsubscribe"]).toBe(
      "<https://tokui.example.com/u?t=1>, <mailto:stop@yamada.jp?subject=unsubscribe>",
    );
  });

  it.each(["http://tokui.example.com/u", "https://tokui.example.com/u\r\nBcc: x@y", "https://a/<b>", "javascript:alert(1)"])("refuses the link %j", (url) => {
    expect(() => listUnsubscribeHeaders(url)).toThrow(/https URL/);
  });

  it("allows plain http only for the local demo", () => {
    expect(listUnsubscribeHeaders("http://127.0.0.1:3000/unsubscribe?token=a.b")["List-Unsubscribe"]).toBe("<http://127.0.0.1:3000/unsubscribe?token=a.b>");
  });
});
