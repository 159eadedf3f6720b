/**
 * vitest globalSetup of the e2e project: Chromium must be there (a clear failure, never a skip),
 * and the app must be built — `npm run build` once per run, unless build/ is newer than every
 * source it is made from. Concurrent runs (several vitest processes on one machine) build one
 * at a time.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { requireChromium } from "./chromium";

const BUILD_OUTPUT = ["build/server/index.js", "build/client"];
const SOURCES = ["app", "public", "vite.config.ts", "remix.config.js", "package-lock.json", "patches"];
const LOCK = path.join(os.tmpdir(), "tokui-e2e-build.lock");

function newestMtime(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newestMtime(path.join(file, name))));
}

function buildIsCurrent(): boolean {
  if (!BUILD_OUTPUT.every((file) => fs.existsSync(file))) return false;
  return fs.statSync(BUILD_OUTPUT[0]!).mtimeMs > Math.max(...SOURCES.map(newestMtime));
}

async function withLock<T>(run: () => T): Promise<T> {
  for (let waited = 0; ; waited += 1) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // Another run is building; a lock left by a killed run is taken over after 5 minutes.
      const since = fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (waited > 300 || Date.now() - since > 300_000) {
        fs.rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return run();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

export default async function setup(): Promise<void> {
  requireChromium();
  await withLock(() => {
    if (buildIsCurrent()) return;
    const result = spawnSync("npm", ["run", "build"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (result.status !== 0) {
      throw new Error(`npm run build failed (exit ${result.status}), so the end-to-end tests cannot run:\n${result.stdout}\n${result.stderr}`);
    }
  });
}
