/** Reading the rank badge theme app extension (extensions/rank-badge) for the tests. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const EXTENSION_DIR = fileURLToPath(new URL("../../extensions/rank-badge", import.meta.url));
export const APP_TOML = fileURLToPath(new URL("../../shopify.app.toml", import.meta.url));
export const BLOCK_FILE = "blocks/rank-badge.liquid";

export const readExtensionFile = (relative: string) => readFileSync(path.join(EXTENSION_DIR, relative), "utf8");

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Setting {
  type: string;
  id?: string;
  label?: string;
  info?: string;
  content?: string;
  default?: Json;
  options?: { value: string; label: string }[];
}
export interface BlockSchema {
  name: string;
  target: string;
  stylesheet?: string;
  javascript?: string;
  settings: Setting[];
  [key: string]: Json | Setting[] | undefined;
}

const SCHEMA_TAG = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/;

/** The JSON text inside {% schema %} … {% endschema %}. */
export function schemaJson(liquid: string): string {
  const match = SCHEMA_TAG.exec(liquid);
  if (!match?.[1]) throw new Error("no {% schema %} tag");
  return match[1];
}

export const blockSource = () => readExtensionFile(BLOCK_FILE);
export const blockSchema = () => JSON.parse(schemaJson(blockSource())) as BlockSchema;
/** The block's Liquid without its schema. */
export const blockMarkup = () => blockSource().replace(SCHEMA_TAG, "");

export const readLocale = (file: string) => JSON.parse(readExtensionFile(`locales/${file}`)) as JsonObject;

/** Every file of the extension, relative to its root, "/"-separated. */
export function extensionFiles(dir = EXTENSION_DIR, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const relative = prefix ? `${prefix}/${name}` : name;
    return statSync(full).isDirectory() ? extensionFiles(full, relative) : [relative];
  });
}

/** Leaf paths of a locale file: "rank_badge.progress.orders_html.one" → its string. */
export function flatten(value: Json, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [leaf, text] of flatten(child, prefix ? `${prefix}.${key}` : key)) out.set(leaf, text);
    }
  } else {
    out.set(prefix, String(value));
  }
  return out;
}

/** Value at a dotted path, or undefined. */
export function lookup(root: Json, dotted: string): Json | undefined {
  let node: Json | undefined = root;
  for (const part of dotted.split(".")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = node[part];
  }
  return node;
}
