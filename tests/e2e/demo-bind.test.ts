/**
 * The local demo shop is served on 127.0.0.1 only: `npm start` with TOKUI_DEMO=1 binds loopback
 * when HOST is unset and refuses any other HOST. The demo's per-request check reads the Host
 * header, which a client chooses; the bind address is what keeps it off the network.
 */
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freePort } from "../../bench/lib/server";
import { TEST_SHOPIFY_ENV } from "../helpers/shopify";

const demoEnv = (port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_SHOPIFY_ENV,
    PORT: String(port),
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    TOKUI_DEMO: "1",
    TOKUI_LOG: "silent",
    DATABASE_URL: "file:/nonexistent/demo-bind.sqlite", // never opened: nothing gets that far
    ...extra,
  };
  if (!("HOST" in extra)) delete env.HOST;
  return env;
};

describe("npm start with TOKUI_DEMO=1", () => {
  it("refuses a HOST other than 127.0.0.1, before listening", async () => {
    const port = await freePort();
    const run = spawnSync(process.execPath, ["scripts/serve.mjs"], { env: demoEnv(port, { HOST: "0.0.0.0" }), encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("TOKUI_DEMO=1 serves on 127.0.0.1 only; HOST=0.0.0.0 refused");
  });

  it("listens on 127.0.0.1 when HOST is unset", async () => {
    const port = await freePort();
    const server = spawn(process.execPath, ["scripts/serve.mjs"], { env: demoEnv(port), stdio: ["ignore", "pipe", "pipe"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        server.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const listening = out.split("\n").find((line) => line.startsWith("[tokui] http"));
          if (listening) resolve(listening);
        });
        server.on("exit", (code) => reject(new Error(`the server exited (code ${code})`)));
      });
      expect(line).toBe(`[tokui] http://127.0.0.1:${port}`);
    } finally {
      server.kill("SIGTERM");
    }
  });
});
