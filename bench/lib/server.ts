/**
 * The built app (build/server/index.js) as `npm start` serves it (scripts/serve.mjs), on
 * 127.0.0.1 only, with its queue worker inline as in production with one instance.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

export const SERVER_BUILD = "build/server/index.js";
/** The SHOPIFY_API_KEY the benchmark's server runs with (session tokens name it as their audience). */
export const BENCH_API_KEY = "tokui-bench";
const SERVE = "scripts/serve.mjs";

/** Why the benchmark cannot start the server, or null. Also warns when the build looks stale. */
export function checkBuild(script = "bench:ingest"): { error: string | null; warning: string | null } {
  if (!fs.existsSync(SERVER_BUILD)) {
    return { error: `${SERVER_BUILD} is missing: run \`npm run build\` first, then \`npm run ${script}\`.`, warning: null };
  }
  const built = fs.statSync(SERVER_BUILD).mtimeMs;
  const newer = newestFile("app");
  return {
    error: null,
    warning:
      newer && newer.mtimeMs > built
        ? `${newer.file} is newer than ${SERVER_BUILD}: the server runs the last build; run \`npm run build\` to measure the current code.`
        : null,
  };
}

function newestFile(dir: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestFile(file) : { file, mtimeMs: fs.statSync(file).mtimeMs };
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningServer {
  port: number;
  process: ChildProcess;
  /** Rejects when the server exits before stop() was called. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

export async function startServer(options: {
  port: number;
  databaseUrl: string;
  secret: string;
  nodeOptions: string[];
  /**
   * true: the worker on the server's event loop; "thread": on a thread of the server process
   * (TOKUI_INLINE_WORKER=thread); false: no worker in the server (TOKUI_INLINE_WORKER=0).
   */
  inlineWorker: boolean | "thread";
  startTimeoutMs: number;
  /** More environment for the server (e.g. rate limits, a mock's settings); set last. */
  env?: Record<string, string>;
}): Promise<RunningServer> {
  const base = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, [...options.nodeOptions, SERVE], {
    // stdout (the start-up line) is dropped; stderr (errors) stays visible.
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(options.port),
      DATABASE_URL: options.databaseUrl,
      SHOPIFY_API_KEY: BENCH_API_KEY,
      SHOPIFY_API_SECRET: options.secret,
      SHOPIFY_APP_URL: base,
      TOKUI_LOG: "silent",
      TOKUI_INLINE_WORKER: options.inlineWorker === "thread" ? "thread" : options.inlineWorker ? "1" : "0",
      TOKUI_DEMO: "0",
      ...options.env,
    },
  });
  let stopping = false;
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => {
      if (!stopping) reject(new Error(`the server exited unexpectedly (code ${code}, signal ${signal})`));
    });
  });
  exited.catch(() => undefined); // observed by whoever races it

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + options.startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during start-up (code ${child.exitCode})`);
    if (await answers(options.port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer on ${base} within ${options.startTimeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port: options.port, process: child, exited, stop };
}

/** Any HTTP answer at all means the server is listening. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(true));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux; null elsewhere).
 * USER_HZ is 100 on every Linux this runs on.
 */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export interface RunningWorker {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `tokui worker` (app/cli/tokui.ts) beside the server: the production layout with TOKUI_INLINE_WORKER=0. */
export function startWorkerProcess(options: { databaseUrl: string; secret: string }): RunningWorker {
  const child = spawn(process.execPath, ["--import", "tsx", "app/cli/tokui.ts", "worker"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: options.databaseUrl,
      SHOPIFY_API_KEY: "tokui-bench",
      SHOPIFY_API_SECRET: options.secret,
      SHOPIFY_APP_URL: "http://127.0.0.1",
      TOKUI_LOG: "silent",
      TOKUI_DEMO: "0",
    },
  });
  return {
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
