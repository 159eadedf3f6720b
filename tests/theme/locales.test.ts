/**
 * The extension's locales: en (default) and ja have the same keys, the same interpolation
 * variables and complete plural forms; every key the block uses exists in both languages.
 * (Theme Check's MatchingTranslations covers only part of this: it reports missing keys in
 * non-default locales, not variables, and TranslationKeyExists / ValidSchemaTranslations look at
 * the default locale only.)
 */
import { describe, expect, it } from "vitest";
import { blockMarkup, blockSchema, extensionFiles, flatten, lookup, readLocale, type Json } from "./extension";

const storefront = { en: readLocale("en.default.json"), ja: readLocale("ja.json") };
const schema = { en: readLocale("en.default.schema.json"), ja: readLocale("ja.schema.json") };
const PLURAL_FORMS = ["one", "other"];

const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe.each([
  ["storefront", storefront],
  ["schema", schema],
] as const)("%s locales", (_kind, files) => {
  const en = flatten(files.en);
  const ja = flatten(files.ja);

  it("have the same keys in en and ja", () => {
    expect([...ja.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it("interpolate the same variables in en and ja", () => {
    for (const [key, text] of en) {
      expect({ key, variables: variables(ja.get(key) ?? "") }).toEqual({ key, variables: variables(text) });
    }
  });

  it("have no empty text and no markup (the block owns the HTML)", () => {
    for (const [key, text] of [...en, ...ja]) {
      expect({ key, empty: text.trim() === "" }).toEqual({ key, empty: false });
      expect({ key, markup: /[<>]/.test(text) }).toEqual({ key, markup: false });
    }
  });
});

describe("storefront translations used by the block", () => {
  const used = [...blockMarkup().matchAll(/'([\w.]+)'\s*\|\s*t\b(?::\s*([^}\n]*))?/g)].map((m) => ({
    key: m[1] ?? "",
    withCount: /\bcount:/.test(m[2] ?? ""),
  }));

  it("finds the keys", () => {
    expect(used.length).toBeGreaterThan(10);
  });

  it.each(["en", "ja"] as const)("exist in %s, plural objects exactly where a count is passed", (lang) => {
    for (const { key, withCount } of used) {
      const value = lookup(storefront[lang], key);
      if (withCount) {
        expect({ key, forms: pluralForms(value) }).toEqual({ key, forms: PLURAL_FORMS });
      } else {
        expect({ key, type: typeof value }).toEqual({ key, type: "string" });
      }
    }
  });

  it("every storefront key is used (no dead translations)", () => {
    const usedKeys = new Set(used.map((u) => u.key));
    const leaves = [...flatten(storefront.en).keys()].map((leaf) => leaf.replace(/\.(one|other)$/, ""));
    expect([...new Set(leaves)].filter((key) => !usedKeys.has(key))).toEqual([]);
  });
});

describe("schema translations used by the block", () => {
  const keys = [...JSON.stringify(blockSchema()).matchAll(/"t:([\w.]+)"/g)].map((m) => m[1] ?? "");

  it.each(["en", "ja"] as const)("every t: key resolves to a text in %s", (lang) => {
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      expect({ key, type: typeof lookup(schema[lang], key) }).toEqual({ key, type: "string" });
    }
  });

  it("every schema translation is used", () => {
    const used = new Set(keys);
    expect([...flatten(schema.en).keys()].filter((key) => !used.has(key))).toEqual([]);
  });

  it.each(["en", "ja"] as const)("the block name fits the theme editor's 25 characters in %s", (lang) => {
    const name = lookup(schema[lang], blockSchema().name.replace(/^t:/, ""));
    expect(typeof name === "string" && name.length <= 25).toBe(true);
  });
});

it("the extension ships exactly the en and ja locale files, en as the default", () => {
  expect(extensionFiles().filter((file) => file.startsWith("locales/")).sort()).toEqual([
    "locales/en.default.json",
    "locales/en.default.schema.json",
    "locales/ja.json",
    "locales/ja.schema.json",
  ]);
});

function pluralForms(value: Json | undefined): string[] | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return typeof value;
  return Object.keys(value).sort();
}
