/**
 * Theme Check on the rank badge theme app extension, offline (see theme-check-offline.ts), with
 * the theme app extension config. Zero offenses of any severity; and, so that this can never pass
 * by checking nothing, the same run on broken copies must report each breakage.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledDocsRevision, formatOffense, runThemeCheckOffline, type OfflineRun } from "./theme-check-offline";

const EXTENSION = fileURLToPath(new URL("../../extensions/rank-badge", import.meta.url));
const BLOCK = "blocks/rank-badge.liquid";

describe(`Theme Check (theme-app-extension config, bundled docs ${bundledDocsRevision.slice(0, 7)})`, () => {
  let run: OfflineRun;
  beforeAll(async () => {
    run = await runThemeCheckOffline(EXTENSION);
  });

  it("checks every Liquid and locale file of the extension", () => {
    expect(run.files).toEqual([
      BLOCK,
      "locales/en.default.json",
      "locales/en.default.schema.json",
      "locales/ja.json",
      "locales/ja.schema.json",
    ]);
  });

  it("reports no offense, neither error nor warning", () => {
    expect(run.offenses.map(formatOffense)).toEqual([]);
  });

  it("used only the docs bundled with the package: no download, no cache", () => {
    const joined = run.log.join("\n");
    expect(joined).not.toMatch(/https?:\/\//);
    expect(joined).not.toMatch(/Successfully downloaded/);
    expect(joined).toMatch(/Failed to read local file: file:.*tokui-no-theme-liquid-docs/);
    for (const resource of ["filters", "objects", "tags", "manifest_theme_app_extension"]) {
      expect(joined).toContain(`Loaded fallback resource\n\t${resource} from`);
    }
  });
});

/** Breakages Theme Check must catch, each applied alone to a fresh copy of the extension. */
const breakages: { name: string; check: string; file: string; edit: (text: string) => string }[] = [
  {
    name: "a storefront translation key that no locale has",
    check: "TranslationKeyExists",
    file: BLOCK,
    edit: (s) => replaceOnce(s, "'rank_badge.welcome' | t", "'rank_badge.welcome_back' | t"),
  },
  {
    name: "a schema label whose t: key is missing from en.default.schema.json",
    check: "ValidSchemaTranslations",
    file: BLOCK,
    edit: (s) => replaceOnce(s, "t:blocks.rank_badge.settings.vip_color.label", "t:blocks.rank_badge.settings.gold_color.label"),
  },
  {
    name: "invalid JSON in the schema",
    check: "ValidSchema",
    file: BLOCK,
    edit: (s) => replaceOnce(s, '"target": "section",', '"target": "section"'),
  },
  {
    name: "a Liquid tag left open",
    check: "LiquidHTMLSyntaxError",
    file: BLOCK,
    edit: (s) => replaceOnce(s, "{%- if mode != 'none' -%}", "{%- if mode != 'none' -%}{% if preview %}"),
  },
  {
    name: "a {% javascript %} tag, which app blocks may not contain",
    check: "AppBlockValidTags",
    file: BLOCK,
    edit: (s) => replaceOnce(s, "{% schema %}", "{% javascript %}console.log(1){% endjavascript %}\n{% schema %}"),
  },
  {
    name: "a filter Shopify does not have",
    check: "UnknownFilter",
    file: BLOCK,
    edit: (s) => replaceOnce(s, "rank_key | handleize", "rank_key | slugify"),
  },
  {
    name: "a key in ja.json that en.default.json lacks, and one it misses",
    check: "MatchingTranslations",
    file: "locales/ja.json",
    edit: (s) => replaceOnce(s, '"heading": "会員ランク"', '"headline": "会員ランク"'),
  },
];

describe("Theme Check catches breakage (broken copies in a temp dir)", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "tokui-rank-badge-"));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it.each(breakages)("$name → $check", async ({ name, check, file, edit }) => {
    const copy = path.join(tmp, name.replace(/[^a-z0-9]+/gi, "-"));
    await cp(EXTENSION, copy, { recursive: true });
    const target = path.join(copy, file);
    await writeFile(target, edit(await readFile(target, "utf8")));

    const broken = await runThemeCheckOffline(copy);

    expect(broken.files).toContain(BLOCK);
    const errors = broken.offenses.filter((offense) => offense.severity === 0);
    expect(errors.map((offense) => offense.check)).toContain(check);
  });
});

function replaceOnce(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  if (at < 0 || text.indexOf(search, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(search)}`);
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}
