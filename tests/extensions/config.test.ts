// @vitest-environment node
/** The extensions' configuration and translations, and the contract with the server's types. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { PostPurchaseView as ServerView } from "~/domain/post-purchase";
import { MESSAGE_KEYS } from "../../extensions/shared/PostPurchaseBlock";
import type { PostPurchaseView as ExtensionView } from "../../extensions/shared/post-purchase";

const root = resolve(__dirname, "../../extensions");
const EXTENSIONS = [
  { dir: "thank-you", target: "purchase.thank-you.block.render", module: "./src/ThankYou.tsx" },
  { dir: "order-status", target: "customer-account.order-status.block.render", module: "./src/OrderStatus.tsx" },
];

const readJson = (...path: string[]) => JSON.parse(readFileSync(join(root, ...path), "utf8")) as Record<string, unknown>;

/** "reward.copy"-style keys of a nested locale file. */
function keys(node: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(node).flatMap(([key, value]) =>
    typeof value === "object" && value !== null ? keys(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function leaves(node: Record<string, unknown>): unknown[] {
  return Object.values(node).flatMap((v) => (typeof v === "object" && v !== null ? leaves(v as Record<string, unknown>) : [v]));
}

describe.each(EXTENSIONS)("$dir", ({ dir, target, module }) => {
  const en = readJson(dir, "locales", "en.default.json");
  const ja = readJson(dir, "locales", "ja.json");

  it("has the same keys in en.default.json and ja.json", () => {
    expect(keys(ja).sort()).toEqual(keys(en).sort());
  });

  it("translates every key the block uses, with non-empty text", () => {
    for (const messages of [en, ja]) {
      expect(keys(messages)).toEqual(expect.arrayContaining([...MESSAGE_KEYS]));
      for (const value of leaves(messages)) expect(typeof value === "string" && value.trim() !== "").toBe(true);
    }
  });

  it("keeps the same {{placeholders}} in both languages", () => {
    const placeholders = (messages: Record<string, unknown>, key: string) => {
      const text = key.split(".").reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], messages) as string;
      return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    };
    for (const key of keys(en)) expect(placeholders(ja, key), key).toEqual(placeholders(en, key));
  });

  it("targets the block with its module, API 2026-07 and network access", () => {
    const toml = readFileSync(join(root, dir, "shopify.extension.toml"), "utf8");
    expect(toml).toMatch(/^api_version = "2026-07"$/m);
    expect(toml).toMatch(/^type = "ui_extension"$/m);
    expect(toml).toContain(`target = "${target}"`);
    expect(toml).toContain(`module = "${module}"`);
    expect(toml).toMatch(/^network_access = true$/m);
    expect(existsSync(join(root, dir, module))).toBe(true);
  });

  it("declares its runtime dependencies like Shopify's Preact template", () => {
    const pkg = readJson(dir, "package.json");
    expect(pkg.private).toBe(true);
    expect(Object.keys(pkg.dependencies as object).sort()).toEqual(["@preact/signals", "@shopify/ui-extensions", "preact"]);
  });
});

// Both ways assignable: a field added, removed or retyped on either side fails `npm run typecheck`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const contract: Same<ServerView, ExtensionView> = true;

describe("contract", () => {
  it("the extensions' copy of PostPurchaseView matches app/domain/post-purchase.ts", () => expect(contract).toBe(true));
});
