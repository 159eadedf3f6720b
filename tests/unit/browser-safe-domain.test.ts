/**
 * The merchant pages run parts of the domain in the browser (the live message preview, form
 * helpers). Those modules must never reach Node built-ins: Vite's client build fails on them
 * (milestones.ts imports node:crypto for discount codes, so the browser must not import it).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const DOMAIN = path.join(process.cwd(), "app", "domain");
/** Domain modules the route components import at run time. */
const BROWSER_MODULES = ["message-form", "rank-form", "grant-status", "form-input", "messages", "money", "post-purchase", "rank"];

function valueImports(file: string): string[] {
  const source = fs.readFileSync(file, "utf8");
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gm)) {
    if (!match[1]) specifiers.push(match[2]!);
  }
  for (const match of source.matchAll(/^import\s+"([^"]+)"/gm)) specifiers.push(match[1]!);
  return specifiers;
}

function reachable(module: string, seen = new Set<string>()): Set<string> {
  if (seen.has(module)) return seen;
  seen.add(module);
  if (!module.startsWith("./")) return seen;
  for (const specifier of valueImports(path.join(DOMAIN, `${module.slice(2)}.ts`))) reachable(specifier, seen);
  return seen;
}

it.each(BROWSER_MODULES)("%s reaches no Node built-in and no server module", (name) => {
  const modules = [...reachable(`./${name}`)];
  expect(modules.filter((m) => m.startsWith("node:") || /\.server$/.test(m) || m.startsWith("@prisma"))).toEqual([]);
  expect(modules).not.toContain("./milestones");
});
