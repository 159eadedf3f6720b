/**
 * `npm run bench:ingest` — how fast Tokui takes in orders, against the cost of the rows alone.
 *
 * Needs a current build: run `npm run build` first. The benchmark does not build by itself (a
 * build takes a while and rewrites build/, which others may be serving); it stops with a message
 * when build/server/index.js is missing and warns when app/ has changed since the build.
 *
 *  1. webhooks, closed loop: starts the built server on 127.0.0.1 (worker inline, as with one
 *     production instance), sends N pre-signed orders/create webhooks with C in flight; prints
 *     acks/s, ack latency p50/p90/p99/max, non-200 answers, and processed orders/s (first send
 *     until the database holds every order).
 *  2. webhooks, open loop: --rate requests/s (default 500) on a fixed schedule, fresh orders, for
 *     --open-seconds (default 10) or N/2 requests, whichever is fewer; prints latency percentiles
 *     and how late the sends were.
 *  3. import: the same N orders as bulk-operation JSONL through `tokui import` (in process) into
 *     another fresh database; prints orders/s.
 *  4. lower bound: the same customers, orders and lines with plain SQL in one transaction into a
 *     third fresh database; prints rows/s, orders/s and our ÷ lower-bound ratios.
 *
 * Targets (README): ≥ 1,000 webhooks/s sustained; p99 ≤ 50 ms at 500 requests/s; import ≥ 20,000
 * orders/s. They are printed beside the figures, never asserted: this is a benchmark, not a test.
 * Traffic goes to 127.0.0.1 only; every run is bounded (request timeouts, processing timeout,
 * --max-seconds watchdog) and removes its databases and files, also on error or Ctrl+C.
 *
 * Options: --orders N (20000) --concurrency C (32) --rate R (500) --open-seconds S (10)
 *   --customers M (N/4) --database-url URL (fresh SQLite files in the OS temp folder; a
 *   postgresql:// admin URL creates and drops fresh databases on that server) --port P (free
 *   port) --warmup W (200) --phases closed,open,import,sql --timeout S (900, per webhook phase,
 *   sending and processing) --max-seconds S (1800) --sqlite-journal-mode (wal) --server-node-options="…" (e.g.
 *   --server-node-options="--cpu-prof --cpu-prof-dir=/tmp/prof") --worker inline|thread|process|off
 *   (thread: TOKUI_INLINE_WORKER=thread, the worker on a thread of the server process;
 *   process: `tokui worker` beside the server, as with TOKUI_INLINE_WORKER=0; off: the
 *   acknowledgements alone, nothing processed) --seed --json
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { startBenchRun } from "./lib/run";
import { countWhereShop, openReader, tableCounts, type BenchDatabase, type Reader } from "./lib/database";
import { Client, closedLoop, openLoop, signDelivery, type LoadResult } from "./lib/http";
import { insertLowerBound, type LowerBoundResult } from "./lib/lower-bound";
import { bulkJsonl, generateOrders, webhookBody, type BenchOrder } from "./lib/orders";
import { checkBuild, freePort, processCpuSeconds, startServer, startWorkerProcess, type RunningServer, type RunningWorker } from "./lib/server";
import { fmt, round, summarize, tallyStatuses, type LatencySummary } from "./lib/stats";

const SHOP = "tokui-bench.myshopify.com";
const WARMUP_SHOP = "tokui-bench-warmup.myshopify.com";
const TOPIC = "orders/create";
const TARGET_WEBHOOKS_PER_S = 1000;
const TARGET_P99_MS = 50;
const TARGET_P99_RATE = 500;
const TARGET_IMPORT_PER_S = 20_000;
const PHASES = ["closed", "open", "import", "sql"] as const;
type Phase = (typeof PHASES)[number];

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      orders: { type: "string", default: "20000" },
      concurrency: { type: "string", default: "32" },
      rate: { type: "string", default: String(TARGET_P99_RATE) },
      "open-seconds": { type: "string", default: "10" },
      customers: { type: "string" },
      "database-url": { type: "string" },
      port: { type: "string" },
      warmup: { type: "string", default: "200" },
      phases: { type: "string", default: PHASES.join(",") },
      timeout: { type: "string", default: "900" },
      "max-seconds": { type: "string", default: "1800" },
      "sqlite-journal-mode": { type: "string", default: "wal" },
      "server-node-options": { type: "string", default: "" },
      worker: { type: "string", default: "inline" },
      seed: { type: "string", default: "20261124" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const int = (name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}; got "${values[name]}"`);
    return n;
  };
  const orders = int("orders", 10, 5_000_000);
  const phases = values.phases.split(",").map((p) => p.trim()) as Phase[];
  for (const p of phases) if (!PHASES.includes(p)) throw new UsageError(`--phases takes ${PHASES.join(",")}; got "${p}"`);
  const journal = values["sqlite-journal-mode"].toLowerCase();
  if (!["wal", "delete", "truncate", "persist", "memory"].includes(journal)) throw new UsageError(`--sqlite-journal-mode: unknown mode "${journal}"`);
  const rate = int("rate", 1, 100_000);
  if (!["inline", "thread", "process", "off"].includes(values.worker)) throw new UsageError(`--worker is inline, thread, process or off; got "${values.worker}"`);
  return {
    help: values.help,
    orders,
    concurrency: int("concurrency", 1, 10_000),
    rate,
    openRequests: Math.max(1, Math.min(rate * int("open-seconds", 1, 3600), Math.ceil(orders / 2))),
    customers: values.customers === undefined ? Math.max(1, Math.floor(orders / 4)) : int("customers", 1),
    databaseUrl: values["database-url"],
    port: values.port === undefined ? undefined : int("port", 1, 65535),
    warmup: int("warmup", 0, 100_000),
    phases: new Set(phases),
    timeoutMs: int("timeout", 1, 86_400) * 1000,
    maxSeconds: int("max-seconds", 10, 86_400),
    journal,
    serverNodeOptions: values["server-node-options"].split(/\s+/).filter(Boolean),
    worker: values.worker,
    seed: int("seed", 0, 2 ** 32 - 1),
    json: values.json,
  };
}
type Options = ReturnType<typeof options>;

// ---------------------------------------------------------------------------------------------

/** CPU used while a phase ran (until its orders were stored): the app server's and this process's. */
interface CpuUse {
  wallSeconds: number;
  serverSeconds: number | null;
  serverMsPerWebhook: number | null;
  loadGeneratorSeconds: number;
}

interface ClosedResult {
  cpu: CpuUse;
  requests: number;
  sendSeconds: number;
  acksPerSecond: number;
  latencyMs: LatencySummary;
  statuses: Record<string, number>;
  non200: number;
  firstError?: string;
  /** null with --worker off. */
  processed: number | null;
  failed: number | null;
  processedSeconds: number | null;
  processedPerSecond: number | null;
  processingTimedOut: boolean;
}

interface OpenResult {
  cpu: CpuUse;
  rate: number;
  requests: number;
  sendSeconds: number;
  achievedRate: number;
  latencyMs: LatencySummary;
  latenessMs: LatencySummary;
  maxInFlight: number;
  statuses: Record<string, number>;
  non200: number;
  firstError?: string;
  drainSecondsAfterLastSend: number | null;
  processingTimedOut: boolean;
}

interface ImportResult {
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  cliReportedSeconds: number | null;
  exitCode: number;
  storedOrders: number;
}

interface Results {
  startedAt: string;
  machine: { cores: number; cpu: string; memoryGb: number; platform: string; node: string };
  database: string;
  databaseKind: string;
  orders: number;
  customers: number;
  guestOrders: number;
  lines: number;
  concurrency: number;
  worker: string;
  webhookBodyBytes: { mean: number; max: number };
  warmup: number;
  closed?: ClosedResult;
  rowsAfterWebhooks?: Record<string, number>;
  open?: OpenResult;
  import?: ImportResult;
  lowerBound?: LowerBoundResult & { rowsPerSecond: number; ordersPerSecond: number };
  ratios?: { importToLowerBound?: number; webhooksToLowerBound?: number };
  targets: Record<string, { target: string; value: number | null; met: boolean | null }>;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = options();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      process.stderr.write(`bench:ingest: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (opts.help) {
    process.stdout.write(fs.readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]!.replace(/^\/\*\*\n?/, ""));
    return 0;
  }
  const needsServer = opts.phases.has("closed") || opts.phases.has("open");
  const warnings: string[] = [];
  if (needsServer) {
    const build = checkBuild();
    if (build.error) {
      process.stderr.write(`bench:ingest: ${build.error}\n`);
      return 2;
    }
    if (build.warning) {
      warnings.push(build.warning);
      process.stderr.write(`warning: ${build.warning}\n`);
    }
  }

  const run = startBenchRun({ name: "bench:ingest", tmpPrefix: "tokui-bench-", databaseUrl: opts.databaseUrl, journal: opts.journal, maxSeconds: opts.maxSeconds });
  const { tmpDir, factory } = run;
  let server: RunningServer | undefined;
  let workerProcess: RunningWorker | undefined;
  let client: Client | undefined;
  const readers: Reader[] = [];
  run.atExit(() => client?.close());
  run.atExit(() => server?.stop());
  run.atExit(() => workerProcess?.stop());
  run.atExit(async () => {
    for (const r of readers) await r.close().catch(() => undefined);
  });

  const progress = (text: string) => process.stderr.write(`${text}\n`);
  const cpus = os.cpus();
  const now = new Date();
  const { history, extra } = generateOrders({
    orders: opts.orders,
    extraOrders: opts.phases.has("open") ? opts.openRequests : 0,
    customers: opts.customers,
    now,
    seed: opts.seed,
  });
  const results: Results = {
    startedAt: now.toISOString(),
    machine: {
      cores: cpus.length,
      cpu: cpus[0]?.model.trim() ?? "unknown",
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    database: factory.describe,
    databaseKind: factory.kind,
    orders: history.orders.length,
    customers: history.customers.length,
    guestOrders: history.orders.filter((o) => !o.customer).length,
    lines: history.orders.reduce((s, o) => s + o.lines.length, 0),
    concurrency: opts.concurrency,
    worker: opts.worker,
    webhookBodyBytes: { mean: 0, max: 0 },
    warmup: opts.warmup,
    targets: {},
    warnings,
  };

  try {
    // Everything serialized and signed before any clock starts.
    const secret = randomBytes(24).toString("base64url");
    const sign = (shop: string, prefix: string) => (o: BenchOrder) =>
      signDelivery({ topic: TOPIC, shop, secret, eventId: `${prefix}-${o.id}`, body: webhookBody(o), triggeredAt: o.processedAt });
    const runId = randomBytes(4).toString("hex");
    const historyDeliveries = history.orders.map(sign(SHOP, `bench-${runId}`));
    const extraDeliveries = extra.orders.map(sign(SHOP, `bench-${runId}-open`));
    const warmupDeliveries = generateOrders({ orders: Math.max(opts.warmup, 10), extraOrders: 0, customers: 50, now, seed: opts.seed + 1 })
      .history.orders.slice(0, opts.warmup)
      .map(sign(WARMUP_SHOP, `warmup-${runId}`));
    const sizes = historyDeliveries.map((d) => d.body.length);
    results.webhookBodyBytes = { mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length), max: sizes.reduce((a, b) => Math.max(a, b), 0) };

    // ---- phases 1 and 2: webhooks through the built server ----
    if (needsServer) {
      const db = await factory.create("webhooks");
      const port = opts.port ?? (await freePort());
      const inlineWorker = opts.worker === "inline" ? true : opts.worker === "thread" ? "thread" : false;
      // processing: some worker stores the orders (inline, or `tokui worker` beside the server).
      const processing = opts.worker !== "off";
      progress(`starting the server on 127.0.0.1:${port} (${db.label})${opts.worker === "inline" ? "" : opts.worker === "thread" ? " with its worker on a thread" : " without its worker"}`);
      server = await startServer({ port, databaseUrl: db.url, secret, nodeOptions: opts.serverNodeOptions, inlineWorker, startTimeoutMs: 60_000 });
      if (opts.worker === "process") {
        progress("starting `tokui worker` as its own process");
        workerProcess = startWorkerProcess({ databaseUrl: db.url, secret });
      }
      const alive = server;
      const guard = <T>(work: Promise<T>) => Promise.race([work, alive.exited]);
      const reader = await openReader(db);
      readers.push(reader);
      // Phases run one after another, so events counted past a baseline are the phase's own.
      const sampler = async () => {
        const sampling = processing ? sampleProcessed(reader, await eventCounts(reader), opts.timeoutMs) : null;
        return (expected: number, since: number) => (sampling ? guard(sampling.until(expected, since)) : Promise.resolve(null));
      };

      client = new Client(port, opts.concurrency, 30_000);
      if (warmupDeliveries.length > 0) {
        progress(`warm-up: ${warmupDeliveries.length} webhooks for ${WARMUP_SHOP}`);
        const warmed = await sampler();
        const warm = await guard(closedLoop(client, warmupDeliveries, Math.min(opts.concurrency, 8)));
        const tally = tallyStatuses(warm.outcomes);
        if (tally.notOk > 0) throw new Error(`warm-up: ${tally.notOk} of ${warm.outcomes.length} webhooks not acknowledged (first: ${tally.firstError})`);
        await warmed(warmupDeliveries.length, performance.now());
      }

      let acked = 0;
      if (opts.phases.has("closed")) {
        progress(`phase 1: ${historyDeliveries.length} webhooks, closed loop, concurrency ${opts.concurrency}`);
        const processedBy = await sampler();
        const meter = cpuMeter(alive.process.pid);
        const started = performance.now();
        const load = await guard(closedLoop(client, historyDeliveries, opts.concurrency));
        const tally = tallyStatuses(load.outcomes);
        progress(`  sent in ${load.seconds.toFixed(1)} s${processing ? "; waiting until every order is stored" : ""}`);
        const done = await processedBy(tally.ok, started);
        results.closed = closedResult(load, done, meter(done ? done.processed + done.failed : tally.ok));
        acked += tally.ok;
      }
      client.close();

      if (opts.phases.has("open")) {
        progress(`phase 2: ${extraDeliveries.length} webhooks, open loop at ${opts.rate} requests/s`);
        // Open loop: a connection per request in flight, so nothing queues in the client.
        client = new Client(port, Math.min(extraDeliveries.length, 10_000), 30_000);
        const processedBy = await sampler();
        const meter = cpuMeter(alive.process.pid);
        const load = await guard(openLoop(client, extraDeliveries, opts.rate));
        const tally = tallyStatuses(load.outcomes);
        const lastSend = load.outcomes.reduce((m, o) => Math.max(m, o.sentAt), 0);
        const done = await processedBy(tally.ok, lastSend);
        acked += tally.ok;
        results.open = {
          cpu: meter(done ? done.processed + done.failed : tally.ok),
          rate: opts.rate,
          requests: load.outcomes.length,
          sendSeconds: round(load.seconds, 3),
          achievedRate: round(load.outcomes.length / load.seconds, 1),
          latencyMs: roundSummary(summarize(load.outcomes.map((o) => o.ms))),
          latenessMs: roundSummary(summarize(load.lateness ?? [])),
          maxInFlight: load.maxInFlight ?? 0,
          statuses: tally.byStatus,
          non200: tally.notOk,
          ...(tally.firstError ? { firstError: tally.firstError } : {}),
          drainSecondsAfterLastSend: done ? round(done.seconds, 2) : null,
          processingTimedOut: done?.timedOut ?? false,
        };
        client.close();
      }
      client = undefined;
      results.rowsAfterWebhooks = await tableCounts(reader);
      const stored = await countWhereShop(reader, "Order", SHOP);
      if (processing && stored < acked) warnings.push(`webhooks: ${fmt(stored)} orders stored for ${fmt(acked)} acknowledged webhooks`);
      progress("stopping the server");
      await server.stop();
      server = undefined;
      await workerProcess?.stop();
      workerProcess = undefined;
    }

    // ---- phase 3: bulk import through the CLI ----
    if (opts.phases.has("import")) {
      const db = await factory.create("import");
      const file = path.join(tmpDir, "orders.jsonl");
      fs.writeFileSync(file, history.orders.map(bulkJsonl).join(""));
      progress(`phase 3: import of ${history.orders.length} orders (${fmt(fs.statSync(file).size / 2 ** 20, 1)} MB JSONL) via tokui import`);
      results.import = await runImport(db, file, history.orders.length);
      const reader = await openReader(db);
      readers.push(reader);
      results.import.storedOrders = (await tableCounts(reader)).Order ?? 0;
    }

    // ---- phase 4: the lower bound ----
    if (opts.phases.has("sql")) {
      const db = await factory.create("sql");
      progress("phase 4: lower bound, plain SQL in one transaction");
      const lb = await insertLowerBound(db, SHOP, history, now);
      results.lowerBound = { ...lb, seconds: round(lb.seconds, 3), rowsPerSecond: round(lb.rows / lb.seconds, 0), ordersPerSecond: round(lb.orders / lb.seconds, 0) };
    }

    const lbRate = results.lowerBound?.ordersPerSecond;
    results.ratios = {
      ...(lbRate && results.import ? { importToLowerBound: round(results.import.ordersPerSecond / lbRate, 6) } : {}),
      ...(lbRate && results.closed?.processedPerSecond ? { webhooksToLowerBound: round(results.closed.processedPerSecond / lbRate, 6) } : {}),
    };
    results.targets = targets(results);
    checkCounts(results);
  } finally {
    run.finish();
    await run.cleanup();
  }

  process.stdout.write(`${table(results)}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------

interface Processed {
  processed: number;
  failed: number;
  seconds: number;
  timedOut: boolean;
}

interface EventCounts {
  processed: number;
  failed: number;
}

/**
 * Webhook events processed and failed for good, all shops: two index-only counts on
 * WebhookEvent(status, id), cheap enough to poll while the app writes (a filter on shop or topic
 * would read every row, 8 KB payload pages and all, and steal CPU from the server).
 */
async function eventCounts(reader: Reader): Promise<EventCounts> {
  const [row] = await reader.query<{ processed: number | bigint | string; failed: number | bigint | string }>(
    `SELECT (SELECT count(*) FROM "WebhookEvent" WHERE status = 'processed') AS processed,
            (SELECT count(*) FROM "WebhookEvent" WHERE status = 'failed') AS failed`,
  );
  return { processed: Number(row?.processed ?? 0), failed: Number(row?.failed ?? 0) };
}

/**
 * Count processed events every 100 ms from now on (a phase's start), past `baseline`, so that
 * the moment processing caught up is known even while answers are still outstanding.
 */
function sampleProcessed(reader: Reader, baseline: EventCounts, timeoutMs: number) {
  const samples: { at: number; counts: EventCounts }[] = [];
  const deadline = performance.now() + timeoutMs;
  let stopped = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    try {
      while (!stopped && performance.now() < deadline) {
        const now = await eventCounts(reader);
        samples.push({ at: performance.now(), counts: { processed: now.processed - baseline.processed, failed: now.failed - baseline.failed } });
        wake?.();
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (error) {
      failure = error;
    }
    stopped = true;
    wake?.();
  })();
  return {
    /** The first sample with `expected` events done; seconds counted from `since` (performance.now()). */
    async until(expected: number, since: number): Promise<Processed> {
      for (;;) {
        if (failure) throw failure;
        const hit = samples.find((s) => s.counts.processed + s.counts.failed >= expected);
        const last = samples.at(-1);
        if (hit || (stopped && last)) {
          const at = hit ?? last!;
          stopped = true;
          await loop;
          return { ...at.counts, seconds: Math.max(0, at.at - since) / 1000, timedOut: !hit };
        }
        if (stopped) throw new Error("no progress sample was taken");
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

function closedResult(load: LoadResult, done: Processed | null, cpu: CpuUse): ClosedResult {
  const tally = tallyStatuses(load.outcomes);
  const n = load.outcomes.length;
  return {
    cpu,
    requests: n,
    sendSeconds: round(load.seconds, 3),
    acksPerSecond: round(tally.ok / load.seconds, 1),
    latencyMs: roundSummary(summarize(load.outcomes.map((o) => o.ms))),
    statuses: tally.byStatus,
    non200: tally.notOk,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
    processed: done?.processed ?? null,
    failed: done?.failed ?? null,
    processedSeconds: done ? round(done.seconds, 2) : null,
    processedPerSecond: done ? round(done.processed / done.seconds, 1) : null,
    processingTimedOut: done?.timedOut ?? false,
  };
}

/** Start counting CPU now; the returned function stops and reports per webhook. */
function cpuMeter(serverPid: number | undefined): (webhooks: number) => CpuUse {
  const server = processCpuSeconds(serverPid);
  const self = process.cpuUsage();
  const started = performance.now();
  return (webhooks) => {
    const serverNow = processCpuSeconds(serverPid);
    const used = process.cpuUsage(self);
    const serverSeconds = server !== null && serverNow !== null ? round(serverNow - server, 2) : null;
    return {
      wallSeconds: round((performance.now() - started) / 1000, 2),
      serverSeconds,
      serverMsPerWebhook: serverSeconds !== null ? round((serverSeconds * 1000) / webhooks, 2) : null,
      loadGeneratorSeconds: round((used.user + used.system) / 1e6, 2),
    };
  };
}

const roundSummary = (s: LatencySummary): LatencySummary => ({ p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), max: round(s.max) });

/** `tokui import` in this process, on a database chosen through DATABASE_URL as the CLI is. */
async function runImport(db: BenchDatabase, file: string, orders: number): Promise<ImportResult> {
  process.env.DATABASE_URL = db.url;
  process.env.TOKUI_LOG = "silent";
  const { runCli } = await import("../app/cli/tokui");
  let err = "";
  const io = { out: { write: (_text: string) => true }, err: { write: (text: string) => ((err += text), true) } };
  const started = performance.now();
  const exitCode = await runCli(["import", "--shop", SHOP, "--file", file], io);
  const seconds = (performance.now() - started) / 1000;
  if (exitCode !== 0) throw new Error(`tokui import exited with ${exitCode}: ${err.trim().split("\n").slice(-3).join(" / ")}`);
  const reported = /in (\d+(?:\.\d+)?) s/.exec(err);
  return {
    orders,
    seconds: round(seconds, 3),
    ordersPerSecond: round(orders / seconds, 0),
    cliReportedSeconds: reported ? Number(reported[1]) : null,
    exitCode,
    storedOrders: 0,
  };
}

function targets(r: Results): Results["targets"] {
  const t: Results["targets"] = {};
  const at = (value: number | null | undefined, ok: (v: number) => boolean) =>
    value === undefined || value === null ? { value: null, met: null } : { value, met: ok(value) };
  t.webhookAcks = { target: `≥ ${fmt(TARGET_WEBHOOKS_PER_S)} webhooks/s`, ...at(r.closed?.acksPerSecond, (v) => v >= TARGET_WEBHOOKS_PER_S) };
  t.webhookProcessed = { target: `≥ ${fmt(TARGET_WEBHOOKS_PER_S)} webhooks/s`, ...at(r.closed?.processedPerSecond, (v) => v >= TARGET_WEBHOOKS_PER_S) };
  t.p99AtRate = {
    target: `p99 ≤ ${TARGET_P99_MS} ms at ${TARGET_P99_RATE} req/s`,
    ...at(r.open && r.open.rate >= TARGET_P99_RATE ? r.open.latencyMs.p99 : undefined, (v) => v <= TARGET_P99_MS && (r.open?.non200 ?? 1) === 0),
  };
  t.importRate = { target: `≥ ${fmt(TARGET_IMPORT_PER_S)} orders/s`, ...at(r.import?.ordersPerSecond, (v) => v >= TARGET_IMPORT_PER_S) };
  return t;
}

/** The figures only count if every order arrived: say so loudly when not. */
function checkCounts(r: Results) {
  if (r.closed && r.closed.processed !== null && r.closed.processed !== r.orders) {
    r.warnings.push(`webhooks: ${r.closed.processed} of ${r.orders} events processed (${r.closed.failed} failed)`);
  }
  if (r.import && r.import.storedOrders !== r.orders) r.warnings.push(`import: ${r.import.storedOrders} orders stored, expected ${r.orders}`);
}

// ---------------------------------------------------------------------------------------------

function table(r: Results): string {
  const lines: string[] = [];
  const verdict = (met: boolean | null | undefined) => (met === true ? "met" : met === false ? "NOT MET" : "");
  const row = (label: string, value: string, target = "", met?: boolean | null) =>
    lines.push(`  ${label.padEnd(46)} ${value.padEnd(40)} ${target.padEnd(26)} ${verdict(met)}`.trimEnd());
  const ms = (s: LatencySummary) => `${fmt(s.p50, 1)} / ${fmt(s.p90, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`;
  const cpuRow = (cpu: CpuUse, requests: number) => {
    if (cpu.serverSeconds === null) return;
    row(
      "app server CPU, per webhook stored",
      `${fmt(cpu.serverMsPerWebhook ?? NaN, 2)} ms (${fmt((100 * cpu.serverSeconds) / cpu.wallSeconds, 0)} % of a core)`,
    );
    row("load generator CPU, per request", `${fmt((cpu.loadGeneratorSeconds * 1000) / requests, 2)} ms`);
  };
  const statuses = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${fmt(v)} × ${k === "error" ? "error" : `HTTP ${k}`}`).join(", ");

  lines.push(`Tokui ingest benchmark (${r.startedAt})`);
  lines.push(`  machine     ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GB, ${r.machine.platform}, Node ${r.machine.node}`);
  lines.push(`  database    ${r.database}`);
  lines.push(
    `  workload    N = ${fmt(r.orders)} orders/create (${fmt(r.lines / r.orders, 2)} lines/order), ${fmt(r.customers)} customers, ` +
      `${fmt(r.guestOrders)} guest orders; body ${fmt(r.webhookBodyBytes.mean / 1024, 1)} KiB mean`,
  );
  lines.push(`              C = ${r.concurrency}; worker ${r.worker === "inline" ? "inline (in the server process)" : r.worker === "thread" ? "on a thread of the server process" : r.worker === "process" ? "`tokui worker`, its own process" : "off"}; warm-up ${r.warmup} webhooks (another shop) before timing`);
  lines.push("");
  lines.push(`  ${"figure".padEnd(46)} ${"value".padEnd(40)} ${"target".padEnd(26)}`);
  if (r.closed) {
    const c = r.closed;
    lines.push(`webhooks, closed loop (${fmt(c.requests)} requests, C = ${r.concurrency})`);
    row("acknowledged", `${fmt(c.acksPerSecond)} webhooks/s`, r.targets.webhookAcks!.target, r.targets.webhookAcks!.met);
    row("ack latency p50 / p90 / p99 / max", ms(c.latencyMs));
    if (c.statuses.error) lines.push("    (requests left without an answer count at the 30 s timeout: the figures are lower bounds)");
    row("non-200 answers", `${fmt(c.non200)}${c.non200 ? ` (${statuses(c.statuses)}; first: ${c.firstError})` : ""}`);
    if (c.processedPerSecond !== null) {
      row(
        "processed, first send → all stored",
        `${fmt(c.processedPerSecond)} orders/s (${fmt(c.processedSeconds ?? NaN, 1)} s)${c.processingTimedOut ? " TIMED OUT" : ""}`,
        r.targets.webhookProcessed!.target,
        r.targets.webhookProcessed!.met,
      );
    } else {
      row("processed", "not measured (--worker off)");
    }
    cpuRow(c.cpu, c.requests);
  }
  if (r.open) {
    const o = r.open;
    lines.push(`webhooks, open loop (${fmt(o.requests)} requests at ${fmt(o.rate)} req/s, fresh orders)`);
    row("achieved send rate", `${fmt(o.achievedRate, 1)} req/s`);
    row("latency p50 / p90 / p99 / max", ms(o.latencyMs), r.targets.p99AtRate!.target, r.targets.p99AtRate!.met);
    if (o.statuses.error) lines.push("    (requests left without an answer count at the 30 s timeout: the figures are lower bounds)");
    row("send lateness p50 / p90 / p99 / max", ms(o.latenessMs));
    row("most requests in flight", fmt(o.maxInFlight));
    cpuRow(o.cpu, o.requests);
    row("non-200 answers", `${fmt(o.non200)}${o.non200 ? ` (${statuses(o.statuses)}; first: ${o.firstError})` : ""}`);
    if (o.drainSecondsAfterLastSend !== null) {
      row("processing done, after the last send", `${fmt(o.drainSecondsAfterLastSend, 1)} s${o.processingTimedOut ? " TIMED OUT" : ""}`);
    }
  }
  if (r.rowsAfterWebhooks) {
    lines.push(`  rows in the webhook database afterwards (warm-up shop included):`);
    lines.push(`    ${Object.entries(r.rowsAfterWebhooks).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
  }
  if (r.import) {
    const i = r.import;
    lines.push(`import (tokui import, bulk-operation JSONL, in process)`);
    row(
      "imported, CLI start to exit",
      `${fmt(i.ordersPerSecond)} orders/s (${fmt(i.seconds, 2)} s)`,
      r.targets.importRate!.target,
      r.targets.importRate!.met,
    );
    if (i.cliReportedSeconds !== null) row("  CLI's own timer (import loop only)", `${fmt(i.orders / i.cliReportedSeconds)} orders/s (${i.cliReportedSeconds} s)`);
  }
  if (r.lowerBound) {
    const l = r.lowerBound;
    lines.push(`lower bound (plain SQL, one transaction, ${fmt(l.customers)} customers + ${fmt(l.orders)} orders + ${fmt(l.lines)} lines)`);
    row("rows", `${fmt(l.rowsPerSecond)} rows/s (${fmt(l.seconds, 3)} s)`);
    row("orders", `${fmt(l.ordersPerSecond)} orders/s`);
  }
  if (r.ratios && Object.keys(r.ratios).length > 0) {
    lines.push("ours ÷ lower bound");
    if (r.ratios.importToLowerBound !== undefined) row("import orders/s ÷ lower bound", `${fmt(r.ratios.importToLowerBound * 100, 2)} % (1 : ${fmt(1 / r.ratios.importToLowerBound, 1)})`);
    if (r.ratios.webhooksToLowerBound !== undefined) row("webhook processed orders/s ÷ lower bound", `${fmt(r.ratios.webhooksToLowerBound * 100, 2)} % (1 : ${fmt(1 / r.ratios.webhooksToLowerBound, 1)})`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

