/**
 * Session tokens as Shopify's checkout and customer account extensions send them: HS256 JWTs
 * signed with the app's API secret (the same logic as tests/helpers/post-purchase.ts).
 */
import { createHmac, randomUUID } from "node:crypto";

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

export interface SessionTokenOptions {
  shop: string;
  apiKey: string;
  secret: string;
  /** The logged-in customer's GID; null = a guest checkout (no sub). */
  customer: string | null;
  /** Seconds from now until it expires. */
  expiresIn: number;
  now?: number;
}

export function sessionToken(options: SessionTokenOptions): string {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const payload = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.apiKey,
    ...(options.customer ? { sub: options.customer } : {}),
    exp: now + options.expiresIn,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
  };
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac("sha256", options.secret).update(`${HEADER}.${body}`).digest("base64url");
  return `${HEADER}.${body}.${signature}`;
}
