// @vitest-environment node
/**
 * Bundles each extension the way Shopify CLI does (packages/app/src/cli/services/extensions/
 * bundle.ts: esbuild, stdin `import Target from module; shopify.extend(target, …)`, bundle,
 * minify, automatic JSX with the import source from the extension's tsconfig, target es6, no
 * legal comments, `process.env.*` defined) and holds it to Shopify's 64 KB compressed limit.
 */
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const LIMIT_BYTES = 64 * 1024;
const APP_URL = "https://tokui.example.com";
const root = resolve(__dirname, "../../extensions");

function targeting(extension: string): { target: string; module: string } {
  const toml = readFileSync(join(root, extension, "shopify.extension.toml"), "utf8");
  const block = toml.split("[[extensions.targeting]]")[1] ?? "";
  const field = (name: string) => new RegExp(`^${name}\\s*=\\s*"([^"]+)"`, "m").exec(block)?.[1];
  return { target: field("target") ?? "", module: field("module") ?? "" };
}

async function bundle(extension: string) {
  const { target, module } = targeting(extension);
  const result = await build({
    stdin: {
      contents: `import Target_0 from '${module}';shopify.extend('${target}', (...args) => Target_0(...args));`,
      resolveDir: join(root, extension),
      loader: "tsx",
    },
    bundle: true,
    write: false,
    minify: true,
    jsx: "automatic",
    target: "es6",
    legalComments: "none",
    loader: { ".esnext": "ts", ".js": "jsx" },
    resolveExtensions: [".tsx", ".ts", ".js", ".json", ".esnext", ".mjs", ".ejs"],
    define: { "process.env.NODE_ENV": JSON.stringify("production"), "process.env.APP_URL": JSON.stringify(APP_URL) },
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  return { code, gzip: gzipSync(code, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs) };
}

describe.each(["thank-you", "order-status"])("%s bundle", (extension) => {
  it("stays under 64 KB compressed, with Preact and without React", async () => {
    const { code, gzip, inputs } = await bundle(extension);
    console.log(`${extension}: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzip / 1024).toFixed(1)} KB gzip (limit 64 KB)`);
    expect(gzip).toBeLessThan(LIMIT_BYTES);
    expect(inputs.some((path) => path.includes("node_modules/preact/"))).toBe(true);
    expect(inputs.filter((path) => /node_modules\/(react|react-dom|@remix-run|@prisma)\//.test(path))).toEqual([]);
    expect(inputs.filter((path) => /(^|\/)app\//.test(path))).toEqual([]);
  });

  it("has the backend URL baked in and no leftover process.env", async () => {
    const { code } = await bundle(extension);
    expect(code).toContain(APP_URL);
    expect(code).not.toContain("process.env");
  });
});
