/**
 * What Theme Check's theme-app-extension config does not look at: it validates no app block
 * schema (its app manifest only maps locales/*.json to a JSON schema), does not know which
 * block.settings exist, and does not look at the stylesheet, the extension's file layout or the
 * metafield definitions. Checked here against:
 * - Shopify's own JSON schemas for settings, as bundled with Theme Check (offline), wrapped in the
 *   documented top-level attributes of an app block schema;
 * - Shopify CLI's theme extension rules (directories and file types it uploads);
 * - shopify.app.toml (every metafield the block reads is declared, with storefront access).
 */
import { describe, expect, it } from "vitest";
import { bundledThemeSchemas, themeCheck } from "./theme-check-offline";
import {
  APP_TOML,
  BLOCK_FILE,
  blockMarkup,
  blockSchema,
  blockSource,
  extensionFiles,
  readExtensionFile,
  schemaJson,
  type BlockSchema,
} from "./extension";
import { readFileSync } from "node:fs";

const SCHEMA_ROOT = "https://raw.githubusercontent.com/Shopify/theme-liquid-docs/main/schemas";

/** Top-level attributes of an app block's schema (shopify.dev, theme app extension configuration). */
const APP_BLOCK_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["name", "target"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1 },
    target: { enum: ["section", "head", "body", "compliance_head"] },
    stylesheet: { type: "string", pattern: "^[\\w.-]+\\.css$" },
    javascript: { type: "string", pattern: "^[\\w.-]+\\.js$" },
    settings: { $ref: "./settings.json" },
    available_if: { type: "string" },
    enabled_on: { type: "object" },
    disabled_on: { type: "object" },
    class: { type: "string" },
    tag: { type: ["string", "null"] },
    default: { type: "object" },
  },
};

async function validateBlockSchema(json: string): Promise<string[]> {
  const schemas = (await bundledThemeSchemas()).map(({ uri, schema }) => ({ uri, schema })); // no fileMatch
  schemas.push({
    uri: `${SCHEMA_ROOT}/theme/tokui_app_block.json`,
    fileMatch: ["**/blocks/*.liquid"],
    schema: JSON.stringify(APP_BLOCK_SCHEMA),
  } as (typeof schemas)[number]);
  const validator = new themeCheck.JSONValidator(schemas);
  const problems = await validator.validate(`file:///extension/${BLOCK_FILE}`, json);
  return problems.map((problem) => problem.message);
}

describe("the app block schema", () => {
  const schema = blockSchema();

  it("validates against Shopify's setting schemas (bundled with Theme Check)", async () => {
    expect(await validateBlockSchema(schemaJson(blockSource()))).toEqual([]);
  });

  it("the validation catches a wrong setting type, an unknown attribute and a missing target", async () => {
    const broken = structuredClone(schema) as BlockSchema;
    broken.settings[1] = { ...broken.settings[1]!, type: "textt" };
    broken.colour = "red";
    delete (broken as Partial<BlockSchema>).target;
    const problems = await validateBlockSchema(JSON.stringify(broken));
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(problems.join("\n")).toMatch(/target/);
    expect(problems.join("\n")).toMatch(/colour/);
    expect(problems.join("\n")).toMatch(/Value is not accepted/);
  });

  it("is an app block for any section, with its stylesheet in assets/ and no JavaScript", () => {
    expect(schema.target).toBe("section");
    expect(schema.javascript).toBeUndefined();
    expect(schema.stylesheet).toBe("rank-badge.css");
    expect(extensionFiles()).toContain(`assets/${schema.stylesheet}`);
  });

  it("has unique setting ids and select defaults among their options", () => {
    const ids = schema.settings.flatMap((s) => (s.id ? [s.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    for (const setting of schema.settings.filter((s) => s.type === "select")) {
      expect(setting.options?.map((o) => o.value)).toContain(setting.default);
    }
  });

  it("the Liquid reads exactly the settings the schema declares", () => {
    const read = new Set([...blockMarkup().matchAll(/block\.settings\.(\w+)/g)].map((m) => m[1]));
    const declared = new Set(schema.settings.flatMap((s) => (s.id ? [s.id] : [])));
    expect([...read].sort()).toEqual([...declared].sort());
  });

  it("the merchant settings the product asks for are there", () => {
    const byId = new Map(schema.settings.flatMap((s) => (s.id ? [[s.id, s] as const] : [])));
    expect(byId.get("show_progress")).toMatchObject({ type: "checkbox", default: true });
    expect(byId.get("show_logged_out")).toMatchObject({ type: "checkbox", default: false });
    expect(byId.get("show_welcome")).toMatchObject({ type: "checkbox", default: false });
    expect(byId.get("login_text")).toMatchObject({ type: "text" });
    expect(byId.get("heading")).toMatchObject({ type: "text" });
    expect(byId.get("heading")?.default).toBeUndefined(); // blank = the translated default
    expect(byId.get("alignment")).toMatchObject({ type: "select", default: "left" });
    for (const id of ["badge_text_color", "first_color", "second_color", "regular_color", "vip_color"]) {
      expect(byId.get(id)).toMatchObject({ type: "color" });
    }
  });

  it("the default badge colors keep at least 4.5:1 contrast with the default badge text (WCAG AA)", () => {
    const color = (id: string) => String(schema.settings.find((s) => s.id === id)?.default);
    const text = color("badge_text_color");
    for (const id of ["first_color", "second_color", "regular_color", "vip_color"]) {
      expect({ id, ratio: contrast(color(id), text) >= 4.5 }).toEqual({ id, ratio: true });
    }
  });

  it("the CSS fallbacks equal the schema's default colors", () => {
    const css = readExtensionFile("assets/rank-badge.css").toLowerCase();
    for (const rank of ["first", "second", "regular", "vip"]) {
      const def = String(schema.settings.find((s) => s.id === `${rank}_color`)?.default).toLowerCase();
      expect(css).toContain(`var(--tokui-rank-badge-${rank}, ${def})`);
    }
  });
});

describe("the extension as Shopify CLI uploads it", () => {
  it("has only the directories and file types a theme app extension may have", () => {
    const allowed: Record<string, RegExp> = {
      assets: /\.(jpg|jpeg|json|js|css|png|svg|wasm)$/,
      blocks: /\.liquid$/,
      snippets: /\.liquid$/,
      locales: /\.json$/,
    };
    for (const file of extensionFiles()) {
      if (file === "shopify.extension.toml") continue;
      const [dir, name, ...deeper] = file.split("/");
      expect({ file, ok: deeper.length === 0 && !!name && !!allowed[dir ?? ""]?.test(name) }).toEqual({ file, ok: true });
    }
  });

  it("declares a theme extension with a valid handle", () => {
    const toml = readExtensionFile("shopify.extension.toml");
    expect(toml).toMatch(/^type = "theme"$/m);
    expect(toml).toMatch(/^name = "[^"]+"$/m);
    const handle = /^handle = "([^"]+)"$/m.exec(toml)?.[1] ?? "";
    expect(handle).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/);
  });

  it("stays far below the size limits (Liquid 500 KB in all, CSS 100 KB per file)", () => {
    expect(Buffer.byteLength(blockSource())).toBeLessThan(50_000);
    expect(Buffer.byteLength(readExtensionFile("assets/rank-badge.css"))).toBeLessThan(10_000);
  });
});

describe("metafields", () => {
  const markup = blockMarkup();
  const read = [...new Set([...markup.matchAll(/\btokui\.(\w+)\.value\b/g)].map((m) => m[1] ?? ""))].sort();

  it("are read from the customer's $app namespace", () => {
    expect(markup).toContain("assign tokui = customer.metafields['$app']");
    expect(read).toEqual(
      ["amount_to_next", "next_rank", "next_rank_label", "order_count", "orders_to_next", "rank", "rank_label"].sort(),
    );
  });

  it("each one read is declared in shopify.app.toml with storefront read access", () => {
    const toml = readFileSync(APP_TOML, "utf8");
    for (const key of read) {
      const section = new RegExp(`^\\[customer\\.metafields\\.app\\.${key}\\]\\n((?:(?!\\[).*\\n?)*)`, "m").exec(toml)?.[1];
      expect({ key, declared: section !== undefined }).toEqual({ key, declared: true });
      expect({ key, storefront: /^access\.storefront = "public_read"$/m.test(section ?? "") }).toEqual({
        key,
        storefront: true,
      });
    }
  });
});

/** WCAG 2 contrast ratio of two #rrggbb colors. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(bl!);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
