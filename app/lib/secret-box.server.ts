/**
 * Secrets at rest (a shop's SMTP password): AES-256-GCM under TOKUI_ENCRYPTION_KEY (ADR 0020).
 *
 * Envelope: "v1:<key id>:<iv>:<tag>:<ciphertext>", every part base64url. The key id names the
 * key that sealed it, so after a rotation (new TOKUI_ENCRYPTION_KEY, the old one moved to
 * TOKUI_ENCRYPTION_KEY_PREVIOUS) old envelopes still open and can be re-sealed at leisure.
 * A context string (e.g. "smtp-password:<shop>") is bound in as additional authenticated data:
 * an envelope copied into another shop's row does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";

export const ENCRYPTION_KEY_VARIABLE = "TOKUI_ENCRYPTION_KEY";
export const PREVIOUS_KEYS_VARIABLE = "TOKUI_ENCRYPTION_KEY_PREVIOUS";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

export interface Key {
  id: string;
  bytes: Buffer;
}

export interface Keyring {
  /** Seals everything new. */
  current: Key;
  /** Only open envelopes sealed before a rotation. */
  previous: Key[];
}

function keyId(bytes: Buffer): string {
  return createHash("sha256").update("tokui key id\0").update(bytes).digest().subarray(0, 6).toString("base64url");
}

/** 32 bytes in base64 or base64url (`openssl rand -base64 32`). The key never appears in an error. */
export function parseKey(text: string, variable = ENCRYPTION_KEY_VARIABLE): Key {
  const clean = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) {
    throw new SecretBoxError(`${variable} is not base64. Generate a key with: openssl rand -base64 32`);
  }
  const bytes = Buffer.from(clean.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (bytes.length !== 32) {
    throw new SecretBoxError(
      `${variable} must be 32 bytes in base64 (44 characters); it decodes to ${bytes.length} bytes. Generate a key with: openssl rand -base64 32`,
    );
  }
  return { id: keyId(bytes), bytes };
}

/** The keyring from the environment; a clear error naming the variable when it is missing or bad. */
export function keyringFromEnv(source: Record<string, string | undefined> = process.env): Keyring {
  const text = source[ENCRYPTION_KEY_VARIABLE];
  if (text === undefined || text.trim() === "") {
    throw new SecretBoxError(
      `${ENCRYPTION_KEY_VARIABLE} is not set. Tokui encrypts stored SMTP passwords with it: generate one with \`openssl rand -base64 32\` and keep it with your other secrets (losing it means re-entering every password).`,
    );
  }
  const previous = (source[PREVIOUS_KEYS_VARIABLE] ?? "")
    .split(",")
    .filter((part) => part.trim() !== "")
    .map((part) => parseKey(part, PREVIOUS_KEYS_VARIABLE));
  return { current: parseKey(text), previous };
}

export function sealSecret(plaintext: string, keyring: Keyring, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.bytes, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64url"));
  return [VERSION, keyring.current.id, ...parts].join(":");
}

interface Envelope {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parseEnvelope(envelope: string): Envelope {
  const parts = envelope.split(":");
  if (parts[0] !== VERSION) throw new SecretBoxError(`Unknown secret envelope version “${parts[0] ?? ""}” (expected ${VERSION}).`);
  if (parts.length !== 5 || !parts.slice(1).every((p) => /^[A-Za-z0-9_-]*$/.test(p))) throw new SecretBoxError("Malformed secret envelope.");
  const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  const envelopeParts = { keyId: id, iv: Buffer.from(iv, "base64url"), tag: Buffer.from(tag, "base64url"), ciphertext: Buffer.from(ciphertext, "base64url") };
  if (envelopeParts.iv.length !== IV_BYTES || envelopeParts.tag.length !== TAG_BYTES) throw new SecretBoxError("Malformed secret envelope.");
  return envelopeParts;
}

/** Throws SecretBoxError when the envelope was altered, sealed for another context, or under an unknown key. */
export function openSecret(envelope: string, keyring: Keyring, context: string): string {
  const parsed = parseEnvelope(envelope);
  const key = [keyring.current, ...keyring.previous].find((k) => k.id === parsed.keyId);
  if (!key) {
    throw new SecretBoxError(
      `This secret was encrypted with a key that is not configured (key id ${parsed.keyId}). Put the old key into ${PREVIOUS_KEYS_VARIABLE}, or enter the secret again.`,
    );
  }
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(parsed.tag);
  try {
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("The stored secret does not authenticate: it was altered or belongs to another record.");
  }
}

/** True when the envelope was sealed under a previous key and should be sealed again. */
export function needsReseal(envelope: string, keyring: Keyring): boolean {
  return parseEnvelope(envelope).keyId !== keyring.current.id;
}

/**
 * Keys for another purpose (signing unsubscribe links), derived so that no two purposes share
 * key material. Current first; the previous ones keep verifying what they signed.
 */
export function derivedKeys(keyring: Keyring, purpose: string): Buffer[] {
  return [keyring.current, ...keyring.previous].map((k) => createHmac("sha256", k.bytes).update(`tokui derive\0${purpose}`).digest());
}
