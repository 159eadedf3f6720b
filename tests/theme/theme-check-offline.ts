/**
 * Theme Check (@shopify/theme-check-node) run offline and deterministically.
 *
 * What its docs updater does by itself: every run builds a ThemeLiquidDocsManager whose setup()
 * downloads `latest.json` from raw.githubusercontent.com (node-fetch, no timeout) and, when the
 * revision differs from the cached one, every Liquid docs/JSON-schema file into the user's cache
 * directory (env-paths "theme-liquid-docs"). Each resource is then read from that cache, falling
 * back to the copy bundled in @shopify/theme-check-docs-updater/data. So the result depends on the
 * network (a dead network fails fast, a filtering one can hang) and on whatever an earlier online
 * run left in the cache: not deterministic.
 *
 * Here, for the duration of a run:
 * - SHOPIFY_TLD_ROOT (the updater's own switch to a local theme-liquid-docs checkout) points at a
 *   directory that does not exist, so the "download" is a failing local file read: no network;
 * - ThemeLiquidDocsManager's cache readers (load, loadSchema) fail, so every resource comes from
 *   the bundled fallback: the docs are exactly the ones of the installed package version.
 * The log is returned so the tests can assert both.
 */
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type * as ThemeCheckNode from "@shopify/theme-check-node";

const require = createRequire(import.meta.url);
const themeCheckEntry = require.resolve("@shopify/theme-check-node");
// Load both packages through require from theme-check-node's own location, so that the docs
// manager patched here is the very module instance theme-check-node uses.
const requireFromThemeCheck = createRequire(themeCheckEntry);

interface SchemaDefinition {
  uri: string;
  fileMatch?: string[];
  schema: string;
}
interface DocsManager {
  schemas(mode: "theme" | "app"): Promise<SchemaDefinition[]>;
}
interface DocsUpdaterModule {
  ThemeLiquidDocsManager: {
    new (log?: (message: string) => void): DocsManager;
    prototype: { load(name: string): Promise<string>; loadSchema(uri: string): Promise<string> };
  };
}

export const themeCheck = requireFromThemeCheck(themeCheckEntry) as typeof ThemeCheckNode;
const docsUpdater = requireFromThemeCheck("@shopify/theme-check-docs-updater") as DocsUpdaterModule;

/** The bundled docs' revision of Shopify/theme-liquid-docs, for messages. */
export const bundledDocsRevision: string = (
  requireFromThemeCheck("@shopify/theme-check-docs-updater/data/latest.json") as { revision: string }
).revision;

const proto = docsUpdater.ThemeLiquidDocsManager.prototype;
proto.load = async (name: string) => {
  throw new Error(`offline: cached theme-liquid-docs resource ${name} is not used`);
};
proto.loadSchema = async (uri: string) => {
  throw new Error(`offline: cached theme-liquid-docs schema ${uri} is not used`);
};

async function offline<T>(run: () => Promise<T>): Promise<T> {
  const saved = process.env.SHOPIFY_TLD_ROOT;
  process.env.SHOPIFY_TLD_ROOT = path.join(os.tmpdir(), "tokui-no-theme-liquid-docs", String(process.pid));
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env.SHOPIFY_TLD_ROOT;
    else process.env.SHOPIFY_TLD_ROOT = saved;
  }
}

export interface OfflineRun {
  offenses: ThemeCheckNode.Offense[];
  /** Paths of the checked files, relative to the root ("blocks/rank-badge.liquid"). */
  files: string[];
  /** The docs updater's log lines. */
  log: string[];
}

/**
 * Theme Check with the theme app extension config on `root` (made absolute: a relative root
 * silently checks zero files).
 */
export async function runThemeCheckOffline(root: string): Promise<OfflineRun> {
  const absoluteRoot = path.resolve(root);
  const log: string[] = [];
  const run = await offline(() =>
    themeCheck.themeCheckRun(absoluteRoot, "theme-check:theme-app-extension", (message) => log.push(message)),
  );
  const rootUri = themeCheck.path.normalize(themeCheck.path.URI.file(absoluteRoot));
  return {
    offenses: run.offenses,
    files: run.theme.map((file) => themeCheck.path.relative(file.uri, rootUri)).sort(),
    log,
  };
}

/** The JSON schemas bundled with Theme Check for themes (settings.json, setting.json, …). */
export async function bundledThemeSchemas(): Promise<SchemaDefinition[]> {
  return offline(() => new docsUpdater.ThemeLiquidDocsManager().schemas("theme"));
}

export function formatOffense(offense: ThemeCheckNode.Offense): string {
  const severity = ["error", "warning", "info"][offense.severity] ?? String(offense.severity);
  const file = offense.uri.replace(/^.*\/(blocks|snippets|locales|assets)\//, "$1/");
  return `${severity} ${offense.check} ${file}:${offense.start.line + 1} ${offense.message}`;
}
