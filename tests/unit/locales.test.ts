/** Every admin text exists in English and Japanese: a key missing in one would show the raw key or the other language. */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { t } from "~/locales";

const DIR = path.join(process.cwd(), "app", "locales");
const features = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith("en.json"))
  .map((f) => f.slice(0, -"en.json".length)); // "" for the common file, "dashboard." for a feature

const keys = (file: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as object).sort();

// English singulars (`<key>_one`) have no Japanese counterpart: Japanese has no plural forms.
it.each(features)("%sen.json and %sja.json have the same keys", (prefix) => {
  expect(keys(`${prefix}ja.json`)).toEqual(keys(`${prefix}en.json`).filter((k) => !k.endsWith("_one")));
});

it("an English singular always has its plural", () => {
  const singulars = features.flatMap((prefix) => keys(`${prefix}en.json`).filter((k) => k.endsWith("_one")).map((k) => [prefix, k] as const));
  for (const [prefix, key] of singulars) expect(keys(`${prefix}en.json`)).toContain(key.slice(0, -"_one".length));
});

it.each([
  ["en", "1", "1 customer"],
  ["en", "2", "2 customers"],
  ["en", "1,234", "1,234 customers"],
  ["ja", "1", "1人"],
] as const)("t(%s, customers.count, %s) = %s", (locale, count, expected) => {
  expect(t(locale, "customers.count", { count })).toBe(expected);
});

it("no key is defined in two files (a later file would silently win)", () => {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const prefix of features) {
    for (const key of keys(`${prefix}en.json`)) {
      if (seen.has(key)) clashes.push(`${key} in ${seen.get(key)} and ${prefix}en.json`);
      seen.set(key, `${prefix}en.json`);
    }
  }
  expect(clashes).toEqual([]);
});
