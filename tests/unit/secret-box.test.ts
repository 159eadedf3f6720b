import { describe, expect, it } from "vitest";
import {
  derivedKeys,
  keyringFromEnv,
  needsReseal,
  openSecret,
  parseKey,
  sealSecret,
  SecretBoxError,
  type Keyring,
} from "~/lib/secret-box.server";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)).toString("base64");
const ring = (current: string, ...previous: string[]): Keyring => ({ current: parseKey(current), previous: previous.map((k) => parseKey(k)) });
const CONTEXT = "smtp-password:yamada.myshopify.com";

describe("sealSecret / openSecret", () => {
  it.each(["p@ss word", "パスワード１２３", "", "x".repeat(1000)])("round-trips %j", (plaintext) => {
    const keyring = ring(KEY_A);
    const envelope = sealSecret(plaintext, keyring, CONTEXT);
    expect(openSecret(envelope, keyring, CONTEXT)).toBe(plaintext);
  });

  it("writes a versioned envelope with the key id, a fresh IV each time, and no plaintext", () => {
    const keyring = ring(KEY_A);
    const one = sealSecret("hunter2hunter2", keyring, CONTEXT);
    const two = sealSecret("hunter2hunter2", keyring, CONTEXT);
    // v1 : 6-byte key id : 12-byte IV : 16-byte tag : ciphertext (14 bytes), all base64url.
    expect(one).toMatch(/^v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{19}$/);
    expect(one.split(":")[1]).toBe(keyring.current.id);
    expect(one).not.toBe(two);
    expect(one.split(":")[2]).not.toBe(two.split(":")[2]);
    expect(Buffer.from(one.split(":")[4]!, "base64url").toString("latin1")).not.toContain("hunter2");
  });

  const flip = (envelope: string, part: number) => {
    const parts = envelope.split(":");
    const bytes = Buffer.from(parts[part]!, "base64url");
    bytes[0] = bytes[0]! ^ 0x01;
    parts[part] = bytes.toString("base64url");
    return parts.join(":");
  };

  it.each([
    ["the IV", 2],
    ["the tag", 3],
    ["the ciphertext", 4],
  ])("detects a changed bit in %s", (_what, part) => {
    const keyring = ring(KEY_A);
    const tampered = flip(sealSecret("secret", keyring, CONTEXT), part);
    expect(() => openSecret(tampered, keyring, CONTEXT)).toThrow(
      new SecretBoxError("The stored secret does not authenticate: it was altered or belongs to another record."),
    );
  });

  it("does not open another shop's envelope (the context is authenticated)", () => {
    const keyring = ring(KEY_A);
    const envelope = sealSecret("secret", keyring, CONTEXT);
    expect(() => openSecret(envelope, keyring, "smtp-password:other.myshopify.com")).toThrow(/does not authenticate/);
  });

  it("does not open with another key that claims the same id", () => {
    const envelope = sealSecret("secret", ring(KEY_A), CONTEXT);
    const impostor: Keyring = { current: { id: parseKey(KEY_A).id, bytes: parseKey(KEY_B).bytes }, previous: [] };
    expect(() => openSecret(envelope, impostor, CONTEXT)).toThrow(/does not authenticate/);
  });

  it.each([
    ["v2:abc:def:ghi:jkl", /Unknown secret envelope version “v2”/],
    ["plain text password", /Unknown secret envelope version/],
    ["v1:abc:def", /Malformed secret envelope/],
    ["v1:a:b:c:d", /Malformed secret envelope/],
    ["v1:a:b+:c:d", /Malformed secret envelope/],
  ])("rejects %j", (envelope, message) => {
    expect(() => openSecret(envelope, ring(KEY_A), CONTEXT)).toThrow(message);
  });
});

describe("key rotation", () => {
  it("opens envelopes of the previous key, says they need resealing, and reseals under the current one", () => {
    const old = sealSecret("secret", ring(KEY_A), CONTEXT);
    const rotated = ring(KEY_B, KEY_A);
    expect(openSecret(old, rotated, CONTEXT)).toBe("secret");
    expect(needsReseal(old, rotated)).toBe(true);
    const resealed = sealSecret(openSecret(old, rotated, CONTEXT), rotated, CONTEXT);
    expect(needsReseal(resealed, rotated)).toBe(false);
    expect(openSecret(resealed, ring(KEY_B), CONTEXT)).toBe("secret");
  });

  it("names the variable to fill when the sealing key is gone", () => {
    const old = sealSecret("secret", ring(KEY_A), CONTEXT);
    expect(() => openSecret(old, ring(KEY_B), CONTEXT)).toThrow(
      `This secret was encrypted with a key that is not configured (key id ${parseKey(KEY_A).id}). Put the old key into TOKUI_ENCRYPTION_KEY_PREVIOUS, or enter the secret again.`,
    );
  });
});

describe("keyringFromEnv", () => {
  it("reads the current key (base64 or base64url) and any previous keys", () => {
    const urlSafe = Buffer.from(Array.from({ length: 32 }, () => 0xfb)).toString("base64url");
    const keyring = keyringFromEnv({ TOKUI_ENCRYPTION_KEY: urlSafe, TOKUI_ENCRYPTION_KEY_PREVIOUS: ` ${KEY_A} ,${KEY_B}` });
    expect(keyring.current.bytes).toEqual(Buffer.alloc(32, 0xfb));
    expect(keyring.previous.map((k) => k.id)).toEqual([parseKey(KEY_A).id, parseKey(KEY_B).id]);
    expect(keyringFromEnv({ TOKUI_ENCRYPTION_KEY: KEY_A }).previous).toEqual([]);
  });

  it.each([
    [{}, /^TOKUI_ENCRYPTION_KEY is not set\. .*openssl rand -base64 32/],
    [{ TOKUI_ENCRYPTION_KEY: "  " }, /^TOKUI_ENCRYPTION_KEY is not set/],
    [{ TOKUI_ENCRYPTION_KEY: "not a key!" }, /^TOKUI_ENCRYPTION_KEY is not base64/],
    [{ TOKUI_ENCRYPTION_KEY: Buffer.alloc(16, 9).toString("base64") }, /^TOKUI_ENCRYPTION_KEY must be 32 bytes in base64 \(44 characters\); it decodes to 16 bytes/],
    [{ TOKUI_ENCRYPTION_KEY: KEY_A, TOKUI_ENCRYPTION_KEY_PREVIOUS: "short" }, /^TOKUI_ENCRYPTION_KEY_PREVIOUS must be 32 bytes/],
  ])("explains a missing or bad key: %j", (env, message) => {
    expect(() => keyringFromEnv(env)).toThrow(message);
  });

  it("never repeats the key in an error", () => {
    const almost = Buffer.alloc(31, 0x42).toString("base64");
    expect(() => keyringFromEnv({ TOKUI_ENCRYPTION_KEY: almost })).toThrow(SecretBoxError);
    try {
      keyringFromEnv({ TOKUI_ENCRYPTION_KEY: almost });
    } catch (error) {
      expect((error as Error).message).not.toContain(almost);
    }
  });
});

describe("derivedKeys", () => {
  it("gives each purpose its own keys, current first, none equal to the encryption key", () => {
    const keyring = ring(KEY_B, KEY_A);
    const links = derivedKeys(keyring, "unsubscribe-link");
    const other = derivedKeys(keyring, "something-else");
    expect(links).toHaveLength(2);
    expect(links[0]).toEqual(derivedKeys(ring(KEY_B), "unsubscribe-link")[0]);
    expect(links[1]).toEqual(derivedKeys(ring(KEY_A), "unsubscribe-link")[0]);
    expect(links[0]).not.toEqual(other[0]);
    expect(links[0]).not.toEqual(keyring.current.bytes);
  });
});
