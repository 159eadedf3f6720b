/**
 * One-click unsubscribe links (RFC 8058): a token naming shop, customer and campaign with an
 * expiry, signed with HMAC-SHA256. The link needs no login, so the signature is the only thing
 * that says the customer (or their mail provider) asked. Pure: the secret and `now` are
 * arguments (the keys come from app/mail/unsubscribe.server.ts). Uses node:crypto, so it is for
 * the server only (like milestones.ts; tests/unit/browser-safe-domain.test.ts).
 *
 * Token: base64url(payload) "." base64url(mac), payload = "u1" LF shop LF customer GID LF
 * campaign LF expiry (Unix seconds); the MAC covers the payload bytes, version included.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface UnsubscribeClaims {
  shop: string;
  customerGid: string;
  /** What the mail belonged to (a journey step, a reminder), for the send log and the page. */
  campaign: string;
  expiresAt: Date;
}

export type UnsubscribeVerification =
  | { ok: true; claims: UnsubscribeClaims }
  /** Signed by us but past its expiry: the page may still offer a confirm button. */
  | { ok: false; reason: "expired"; claims: UnsubscribeClaims }
  | { ok: false; reason: "malformed" | "forged" | "wrong-shop" };

const VERSION = "u1";
/** Long enough that a mail read months later still unsubscribes in one click. */
export const UNSUBSCRIBE_TOKEN_DAYS = 180;

export class UnsubscribeTokenError extends Error {
  override name = "UnsubscribeTokenError";
}

function mac(payload: Buffer, secret: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

export function signUnsubscribeToken(claims: UnsubscribeClaims, secret: Uint8Array): string {
  const fields = [claims.shop, claims.customerGid, claims.campaign];
  if (fields.some((f) => f === "" || f.includes("\n"))) throw new UnsubscribeTokenError("shop, customer and campaign must be non-empty single lines");
  const expires = Math.floor(claims.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires)) throw new UnsubscribeTokenError("expiresAt is not a valid date");
  const payload = Buffer.from([VERSION, ...fields, String(expires)].join("\n"), "utf8");
  return `${payload.toString("base64url")}.${mac(payload, secret).toString("base64url")}`;
}

/** The expiry for a mail sent at `now`. */
export function unsubscribeExpiry(now: Date, days = UNSUBSCRIBE_TOKEN_DAYS): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/**
 * Accepts a token signed with any of `secrets` (current key first, then keys from before a
 * rotation). `shop`, when given, must be the token's shop.
 */
export function verifyUnsubscribeToken(
  token: string,
  options: { secrets: readonly Uint8Array[]; now: Date; shop?: string },
): UnsubscribeVerification {
  const match = /^([A-Za-z0-9_-]{1,1000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: "malformed" };
  const payload = Buffer.from(match[1]!, "base64url");
  const given = Buffer.from(match[2]!, "base64url");
  const authentic = options.secrets.some((secret) => timingSafeEqual(mac(payload, secret), given));
  if (!authentic) return { ok: false, reason: "forged" };

  const fields = payload.toString("utf8").split("\n");
  const expires = Number(fields[4]);
  if (fields.length !== 5 || fields[0] !== VERSION || !Number.isSafeInteger(expires)) return { ok: false, reason: "malformed" };
  const claims: UnsubscribeClaims = { shop: fields[1]!, customerGid: fields[2]!, campaign: fields[3]!, expiresAt: new Date(expires * 1000) };
  if (options.shop !== undefined && options.shop !== claims.shop) return { ok: false, reason: "wrong-shop" };
  if (options.now.getTime() >= claims.expiresAt.getTime()) return { ok: false, reason: "expired", claims };
  return { ok: true, claims };
}

/** The https link for List-Unsubscribe and the mail footer: GET shows a page, POST unsubscribes (RFC 8058). */
export function unsubscribeUrl(appUrl: string, token: string): string {
  const url = new URL("/unsubscribe", appUrl);
  url.searchParams.set("token", token);
  return url.toString();
}

/**
 * The RFC 8058 / RFC 2369 headers every mail carries: mail providers show their own
 * "Unsubscribe" button and POST "List-Unsubscribe=One-Click" to the https link. The mailto
 * link is optional (a mailbox somebody reads). A line break in either would end the header.
 * Plain http is accepted only for the local demo on this machine.
 */
export function listUnsubscribeHeaders(url: string, mailto?: string | null): Record<"List-Unsubscribe" | "List-Unsubscribe-Post", string> {
  if (!/^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1)[:/])[^\s<>]+$/.test(url)) {
    throw new UnsubscribeTokenError("the unsubscribe link must be an https URL without spaces or angle brackets");
  }
  if (mailto && !/^[^\s<>@]+@[^\s<>@]+$/.test(mailto)) throw new UnsubscribeTokenError("the unsubscribe mailbox must be a plain address");
  const links = [`<${url}>`, ...(mailto ? [`<mailto:${mailto}?subject=unsubscribe>`] : [])];
  return { "List-Unsubscribe": links.join(", "), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
