/**
 * A benchmark run's lifetime: its temporary folder and databases, what to stop on the way out,
 * and the guards (a --max-seconds watchdog, Ctrl+C, SIGTERM) that clean up before exiting.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseFactory } from "./database";

export interface BenchRun {
  tmpDir: string;
  factory: ReturnType<typeof databaseFactory>;
  /** Run `stop` on the way out (in registration order, before the databases are dropped). */
  atExit(stop: () => unknown): void;
  /** Stop everything registered, drop the databases, remove the folder; once, however often called. */
  cleanup(): Promise<void>;
  /** Clears the watchdog: call when the run ends normally. */
  finish(): void;
}

export function startBenchRun(options: { name: string; tmpPrefix: string; databaseUrl: string | undefined; journal: string; maxSeconds: number }): BenchRun {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), options.tmpPrefix));
  const factory = databaseFactory(options.databaseUrl, tmpDir, options.journal);
  const stops: (() => unknown)[] = [];
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const stop of stops) {
        await Promise.resolve()
          .then(stop)
          .catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
      }
      await factory.dropAll().catch((e: unknown) => process.stderr.write(`cleanup: could not drop a database: ${String(e)}\n`));
      fs.rmSync(tmpDir, { recursive: true, force: true });
    })());
  const abort = (why: string, code: number) => {
    process.stderr.write(`\n${options.name}: ${why}; cleaning up\n`);
    void cleanup().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => abort(`still running after --max-seconds ${options.maxSeconds}`, 3), options.maxSeconds * 1000);
  watchdog.unref();
  process.once("SIGINT", () => abort("interrupted", 130));
  process.once("SIGTERM", () => abort("terminated", 143));
  return { tmpDir, factory, atExit: (stop) => void stops.push(stop), cleanup, finish: () => clearTimeout(watchdog) };
}
