/**
 * `npm run bench:analytics` — how fast the merchant dashboard answers for a big shop, against
 * one hand-written SQL statement per figure (the lower bound).
 *
 *  1. generate: a synthetic shop (default 100,000 customers and 1,000,000 orders over three years
 *     up to --now; see bench/lib/shop-history.ts for its shape) written straight to disk as the
 *     bulk-operation JSONL that `tokui import` reads. Deterministic for --seed and --now.
 *  2. import: `tokui import` as a child process (node --import tsx app/cli/tokui.ts, i.e.
 *     `npm run tokui -- import` without npm) into a fresh, migrated database; prints orders/s.
 *     The import dates its rank changes at the import; they are then replaced by the history
 *     live webhooks would have recorded (1st/2nd/3rd/10th order → first/second/regular/vip, dated
 *     at the order), so that "rank moves in the period" has rows. PostgreSQL is VACUUM ANALYZEd.
 *  3. dashboard: refreshRfm once (timed), then every DASHBOARD_QUERIES entry and loadDashboard as
 *     a whole through the app's Prisma client, for each --periods preset: the first (cold) run,
 *     then median and max of --runs runs, wall and CPU time. Beside each, the lower bound: the
 *     same aggregate as ONE SQL statement on a direct connection (bench/lib/analytics-lower-bound.ts),
 *     and ours ÷ it; "(live)" rows compute what refreshRfm precomputes (cohorts, products).
 *     loadDashboard's figures are compared with the lower bounds' rows ("same?").
 *     Target (issue 4): loadDashboard ≤ 500 ms server time at 100k customers / 1M orders.
 *
 * The JSONL and the database are kept in --cache-dir (default /tmp/tokui-bench-analytics), one
 * folder per size, seed and --now; --reuse skips generation and import when they are there (new
 * migrations are applied to the kept database first), so the query timing can be iterated.
 * Findings for tuning (row counts, the table, the SQL the app ran with EXPLAIN QUERY PLAN for
 * slow statements, SQLite only) go to --findings (default /tmp/helpers/bench-analytics-findings.md,
 * or …-findings-postgresql.md).
 * The machine's load average is printed with every figure: this 2-core machine is shared.
 *
 * Options: --customers N (100000) --orders N (1000000) --seed S (20261124) --now ISO
 *   (2026-11-24T00:00:00Z) --reuse --cache-dir DIR --runs R (5) --periods 30d,12m
 *   --database-url URL (default: SQLite in the cache folder; a postgresql:// admin URL keeps a
 *   database named after the cache key on that server) --import-timeout S (3600)
 *   --max-seconds S (7200) --findings FILE (or "none") --json
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import Sqlite from "better-sqlite3";
import { startBenchRun } from "./lib/run";
import { migrations, openReader, redact, tableCounts, type BenchDatabase, type DbKind } from "./lib/database";
import { HISTORY_GENERATOR_VERSION, writeShopHistory, type ShopHistorySummary } from "./lib/shop-history";
import { lowerBoundQueries, openDirect, type DirectConnection, type LowerBoundParams } from "./lib/analytics-lower-bound";
import { sqliteTracer, type TracedStatement } from "./lib/sql-trace";
import { compareFigures, FIGURE_SOURCES } from "./lib/analytics-check";
import { fmt, round } from "./lib/stats";
import { createDatabase, prepareDatabase, type PrismaClient } from "../app/db.server";
import { DASHBOARD_QUERIES, loadDashboard } from "../app/services/analytics/dashboard.server";
import { refreshRfm } from "../app/services/analytics/refresh.server";
import type { DashboardParams } from "../app/domain/analytics/types";

const SHOP = "tokui-bench-analytics.myshopify.com";
const CURRENCY = "JPY";
const TIME_ZONE = "Asia/Tokyo";
const UTC_OFFSET_HOURS = 9; // Asia/Tokyo has no daylight saving time
const TARGET_MS = 500;
const COHORT_MONTHS = 12;
const SLOW_STATEMENT_MS = 20;
const PERIODS = ["30d", "90d", "12m", "ytd"] as const;
type Period = (typeof PERIODS)[number];

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      customers: { type: "string", default: "100000" },
      orders: { type: "string", default: "1000000" },
      seed: { type: "string", default: "20261124" },
      now: { type: "string", default: "2026-11-24T00:00:00Z" },
      reuse: { type: "boolean", default: false },
      "cache-dir": { type: "string", default: path.join(os.tmpdir(), "tokui-bench-analytics") },
      runs: { type: "string", default: "5" },
      periods: { type: "string", default: "30d,12m" },
      "database-url": { type: "string" },
      "import-timeout": { type: "string", default: "3600" },
      "max-seconds": { type: "string", default: "7200" },
      findings: { type: "string" },
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
  const now = new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be an ISO date-time; got "${values.now}"`);
  const periods = values.periods.split(",").map((p) => p.trim()) as Period[];
  for (const p of periods) if (!PERIODS.includes(p)) throw new UsageError(`--periods takes ${PERIODS.join(",")}; got "${p}"`);
  const databaseUrl = values["database-url"];
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError("--database-url must be a postgresql:// admin URL (SQLite is the default)");
  const orders = int("orders", 10, 20_000_000);
  return {
    help: values.help,
    customers: int("customers", 1, orders),
    orders,
    seed: int("seed", 0, 2 ** 32 - 1),
    now,
    reuse: values.reuse,
    cacheDir: path.resolve(values["cache-dir"]),
    runs: int("runs", 1, 1000),
    periods,
    databaseUrl,
    importTimeoutMs: int("import-timeout", 1, 86_400) * 1000,
    maxSeconds: int("max-seconds", 10, 86_400),
    findings:
      values.findings === "none" ? null
      : values.findings ? path.resolve(values.findings)
      : `/tmp/helpers/bench-analytics-findings${databaseUrl ? "-postgresql" : ""}.md`,
    json: values.json,
  };
}
type Options = ReturnType<typeof options>;

// ---------------------------------------------------------------------------------------------

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

interface Timing {
  coldMs: number;
  medianMs: number;
  maxMs: number;
  runs: number[];
  /**
   * Median CPU time of this process per run (user + system). SQLite works inside this process,
   * so on a shared machine this is the steadier figure; PostgreSQL's own work is not in it.
   */
  cpuMedianMs: number;
  /** 1-minute load average when the timing started. */
  load: string;
}

interface QueryRow {
  period: Period;
  name: string;
  ours: Timing | null;
  lower: Timing | null;
  /** ours median ÷ lower-bound median. */
  ratio: number | null;
  /** Where loadDashboard's figure and the lower bound's rows disagree; undefined = not compared. */
  differences?: string[];
  error?: string;
}

interface ImportFigures {
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  cliReportedSeconds: number | null;
  load: string;
  at: string;
}

interface Results {
  startedAt: string;
  machine: { cores: number; cpu: string; memoryGb: number; node: string };
  database: { kind: DbKind; label: string };
  cacheFolder: string;
  now: string;
  data: ShopHistorySummary & { reused: boolean };
  import: ImportFigures & { reused: boolean };
  rows: Record<string, number>;
  rfmRefresh: { ms: number; load: string } | null;
  queries: QueryRow[];
  dashboard: { period: Period; ours: Timing | null; lowerSumMs: number; ratio: number | null; met: boolean | null }[];
  /** Statements of ≥ SLOW_STATEMENT_MS, the same text run several times (chunks) counted as one. */
  slowStatements: { period: Period | "all"; query: string; ms: number; runs: number; maxMs: number; sql: string; plan: string }[];
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------

type DashboardQuery = (db: PrismaClient, params: DashboardParams) => Promise<unknown>;
const QUERIES: Record<string, DashboardQuery> = DASHBOARD_QUERIES;

/** A preset ending today (inclusive) in the shop's zone; Asia/Tokyo days are UTC+9 days. */
function periodOf(kind: Period, now: Date): { from: Date; to: Date } {
  const offset = UTC_OFFSET_HOURS * 3_600_000;
  const local = new Date(now.getTime() + offset);
  const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d) - offset);
  const [y, m, d] = [local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()];
  const to = day(y, m, d + 1);
  const from =
    kind === "30d" ? day(y, m, d - 29)
    : kind === "90d" ? day(y, m, d - 89)
    : kind === "12m" ? day(y - 1, m, Math.min(d, new Date(Date.UTC(y - 1, m + 1, 0)).getUTCDate()) + 1)
    : day(y, 0, 1);
  return { from, to };
}

function cohortStart(now: Date): Date {
  const offset = UTC_OFFSET_HOURS * 3_600_000;
  const local = new Date(now.getTime() + offset);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - (COHORT_MONTHS - 1), 1) - offset);
}

/** Times `fn` (the first run cold, then `runs` more); `last` is what its last run returned. */
async function time<T>(fn: () => Promise<T>, runs: number): Promise<Timing & { last: T }> {
  const at = load();
  let last!: T;
  const cpu: number[] = [];
  const once = async () => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    last = await fn();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    return ms;
  };
  const coldMs = await once(); // also the warm-up
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  return {
    coldMs: round(coldMs, 1),
    medianMs: round(median(all), 1),
    maxMs: round(Math.max(...all), 1),
    runs: all.map((v) => round(v, 1)),
    cpuMedianMs: round(median(cpu.slice(1)), 1),
    load: at,
    last,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = options();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      process.stderr.write(`bench:analytics: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (opts.help) {
    process.stdout.write(fs.readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]!.replace(/^\/\*\*\n?/, ""));
    return 0;
  }
  const progress = (text: string) => process.stderr.write(`${text}\n`);
  const run = startBenchRun({ name: "bench:analytics", tmpPrefix: "tokui-bench-analytics-", databaseUrl: undefined, journal: "wal", maxSeconds: opts.maxSeconds });
  let child: ChildProcess | undefined;
  const direct: DirectConnection[] = [];
  run.atExit(() => child?.kill("SIGKILL"));
  run.atExit(async () => {
    for (const c of direct) await c.close().catch(() => undefined);
  });

  const kind: DbKind = opts.databaseUrl ? "postgresql" : "sqlite";
  const key = `c${opts.customers}-o${opts.orders}-s${opts.seed}-${opts.now.toISOString().slice(0, 10)}-g${HISTORY_GENERATOR_VERSION}`;
  const folder = path.join(opts.cacheDir, key);
  fs.mkdirSync(folder, { recursive: true });
  const jsonl = path.join(folder, "orders.jsonl");
  const dataMetaFile = path.join(folder, "data.json");
  const dbMetaFile = path.join(folder, `${kind}.json`);
  const target = databaseTarget(kind, folder, key, opts.databaseUrl);
  const cpus = os.cpus();
  const warnings: string[] = [];

  try {
    // ---- 1. the synthetic shop ----
    let data: ShopHistorySummary & { reused: boolean };
    const kept = readJson<ShopHistorySummary>(dataMetaFile);
    if (opts.reuse && kept && fs.existsSync(jsonl) && fs.statSync(jsonl).size === kept.bytes) {
      data = { ...kept, reused: true };
      progress(`reusing ${jsonl} (${fmt(kept.orders)} orders, ${fmt(kept.bytes / 2 ** 20)} MB)`);
    } else {
      progress(`generating ${fmt(opts.orders)} orders over ${fmt(opts.customers)} customers into ${jsonl} (load ${load()})`);
      fs.rmSync(dbMetaFile, { force: true }); // a database imported from an older file is stale
      const summary = await writeShopHistory(`${jsonl}.partial`, { customers: opts.customers, orders: opts.orders, seed: opts.seed, now: opts.now });
      fs.renameSync(`${jsonl}.partial`, jsonl);
      fs.writeFileSync(dataMetaFile, JSON.stringify(summary, null, 2));
      data = { ...summary, reused: false };
      progress(`  ${fmt(summary.bytes / 2 ** 20)} MB in ${fmt(summary.seconds, 1)} s`);
    }

    // ---- 2. import through the CLI ----
    let imported: ImportFigures & { reused: boolean };
    const dbMeta = readJson<{ import: ImportFigures; migrations: string[]; dataBytes: number; rankHistory?: boolean }>(dbMetaFile);
    if (opts.reuse && dbMeta && dbMeta.dataBytes === data.bytes && (await target.exists())) {
      const pending = migrations(kind).filter((m) => !dbMeta.migrations.includes(m.name));
      for (const m of pending) {
        progress(`applying migration ${m.name} to the kept database`);
        await target.exec(m.sql);
        dbMeta.migrations.push(m.name);
      }
      if (!dbMeta.rankHistory) {
        const historyRows = await synthesizeRankHistory(target);
        progress(`rank history: the import's ${fmt(historyRows.removed)} rank changes replaced by ${fmt(historyRows.inserted)} dated at the orders that reached each rank`);
        dbMeta.rankHistory = true;
      }
      fs.writeFileSync(dbMetaFile, JSON.stringify(dbMeta, null, 2));
      imported = { ...dbMeta.import, reused: true };
      progress(`reusing ${target.label} (imported ${dbMeta.import.at}: ${fmt(dbMeta.import.ordersPerSecond)} orders/s)`);
    } else {
      fs.rmSync(dbMetaFile, { force: true });
      await target.recreate();
      const applied = migrations(kind);
      for (const m of applied) await target.exec(m.sql);
      progress(`importing ${fmt(data.orders)} orders into ${target.label} via tokui import (child process; load ${load()})`);
      const figures = await runImport(target.url, jsonl, data.orders, opts.importTimeoutMs, (c) => (child = c), progress);
      child = undefined;
      progress(`  ${fmt(figures.ordersPerSecond)} orders/s (${fmt(figures.seconds, 1)} s)`);
      const historyRows = await synthesizeRankHistory(target);
      progress(`  rank history: the import's ${fmt(historyRows.removed)} rank changes replaced by ${fmt(historyRows.inserted)} dated at the orders that reached each rank`);
      fs.writeFileSync(dbMetaFile, JSON.stringify({ import: figures, migrations: applied.map((m) => m.name), dataBytes: data.bytes, rankHistory: true }, null, 2));
      imported = { ...figures, reused: false };
    }

    if (kind === "postgresql") {
      // Autovacuum vacuums and analyzes a freshly imported table within minutes: without
      // statistics the planner guesses a handful of rows and nests loops over a million orders,
      // and without the visibility map no index-only scan pays off. SQLite has no such daemon:
      // its database is timed as the app leaves it (no ANALYZE).
      await target.exec("VACUUM ANALYZE");
    }
    const reader = await openReader(benchDatabase(target));
    const rows = await tableCounts(reader).finally(() => reader.close());
    if (rows.Order !== data.orders) warnings.push(`the database holds ${rows.Order} orders, the JSONL ${data.orders}`);

    const results: Results = {
      startedAt: new Date().toISOString(),
      machine: { cores: cpus.length, cpu: cpus[0]?.model.trim() ?? "unknown", memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version },
      database: { kind, label: target.label },
      cacheFolder: folder,
      now: opts.now.toISOString(),
      data,
      import: imported,
      rows,
      rfmRefresh: null,
      queries: [],
      dashboard: [],
      slowStatements: [],
      warnings,
    };

    // ---- 3. the dashboard, ours and the lower bound ----
    const lowerConnection = await openDirect(kind, kind === "sqlite" ? target.label : target.url);
    direct.push(lowerConnection);
    // The app's Prisma client on the kept database, set up as the server sets up its own.
    process.env.TOKUI_LOG ??= "silent";
    const appDb = createDatabase(target.url);
    run.atExit(() => appDb.prisma.$disconnect());
    await prepareDatabase(appDb);

    progress(`refreshRfm (load ${load()})`);
    const at = load();
    const started = performance.now();
    // Traced on SQLite (the wrapper costs microseconds per statement; the refresh takes seconds).
    const tracer = kind === "sqlite" ? sqliteTracer() : null;
    tracer?.start();
    try {
      await refreshRfm(appDb.prisma, SHOP, opts.now);
    } finally {
      const traced = tracer?.stop() ?? [];
      results.rfmRefresh = { ms: round(performance.now() - started, 1), load: at };
      results.slowStatements.push(...(await explainSlow(traced, lowerConnection, "all", "refreshRfm")));
    }
    progress(`  ${fmt(results.rfmRefresh.ms)} ms`);

    for (const period of opts.periods) {
      const { from, to } = periodOf(period, opts.now);
      const params: DashboardParams = { shop: SHOP, from, to, now: opts.now, currency: CURRENCY, timeZone: TIME_ZONE };
      const lbParams: LowerBoundParams = { shop: SHOP, from, to, now: opts.now, currency: CURRENCY, utcOffsetHours: UTC_OFFSET_HOURS, cohortStart: cohortStart(opts.now) };
      // The live cohort and product statements do not depend on the period: timed once.
      const first = period === opts.periods[0];
      const lower = new Map(lowerBoundQueries(kind, lbParams).filter((q) => first || !q.name.endsWith("(live)")).map((q) => [q.name, q]));
      const names = Object.keys(QUERIES);
      for (const name of [...lower.keys()]) if (!names.includes(name)) names.push(name);
      progress(`period ${period}: ${from.toISOString()} … ${to.toISOString()}`);
      let lowerSum = 0;
      const lowerRows = new Map<string, Record<string, unknown>[]>();
      for (const name of names) {
        const row: QueryRow = { period, name, ours: null, lower: null, ratio: null };
        const query = QUERIES[name];
        try {
          if (query) row.ours = withoutResult(await time(() => query(appDb.prisma, params), opts.runs));
          const lb = lower.get(name);
          if (lb) {
            // The live product statement takes seconds: two runs after the cold one are enough.
            const timed = await time(() => lowerConnection.run(lb), name.endsWith("(live)") ? Math.min(2, opts.runs) : opts.runs);
            lowerRows.set(name, timed.last as Record<string, unknown>[]);
            row.lower = withoutResult(timed);
            if (!name.endsWith("(live)")) lowerSum += row.lower.medianMs;
          }
          if (query && kind === "sqlite") results.slowStatements.push(...(await slowStatements(() => query(appDb.prisma, params), lowerConnection, period, name)));
        } catch (error) {
          row.error = error instanceof Error ? error.message.split("\n")[0]! : String(error);
          warnings.push(`${period} ${name}: ${row.error}`);
        }
        row.ratio = row.ours && row.lower && row.lower.medianMs > 0 ? round(row.ours.medianMs / row.lower.medianMs, 2) : null;
        results.queries.push(row);
        progress(`  ${name.padEnd(12)} ours ${row.ours ? `${fmt(row.ours.medianMs, 1)} ms` : "—"}, lower bound ${row.lower ? `${fmt(row.lower.medianMs, 1)} ms` : "—"}${row.error ? ` (${row.error})` : ""}`);
      }
      let ours: Timing | null = null;
      try {
        const timed = await time(() => loadDashboard(appDb.prisma, params), opts.runs);
        ours = withoutResult(timed);
        for (const [figure, differences] of compareFigures(timed.last, lowerRows)) {
          for (const source of FIGURE_SOURCES[figure] ?? []) {
            const row = results.queries.find((q) => q.period === period && q.name === source);
            if (row) row.differences = [...(row.differences ?? []), ...differences];
          }
          for (const d of differences.slice(0, 5)) warnings.push(`${period} ${figure} differs from its lower bound: ${d}`);
          if (differences.length > 5) warnings.push(`${period} ${figure}: ${differences.length - 5} more differences`);
        }
      } catch (error) {
        warnings.push(`${period} loadDashboard: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      }
      results.dashboard.push({
        period,
        ours,
        lowerSumMs: round(lowerSum, 1),
        ratio: ours && lowerSum > 0 ? round(ours.medianMs / lowerSum, 2) : null,
        met: ours ? ours.medianMs <= TARGET_MS : null,
      });
      progress(`  loadDashboard ${ours ? `${fmt(ours.medianMs, 1)} ms (max ${fmt(ours.maxMs, 1)})` : "—"}; Σ lower bounds ${fmt(lowerSum, 1)} ms`);
    }

    const text = table(results);
    process.stdout.write(`${text}\n`);
    if (opts.findings) writeFindings(opts.findings, results, text);
    if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    return 0;
  } finally {
    run.finish();
    await run.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------

/** The kept database: a SQLite file in the cache folder, or a named database on a PostgreSQL server. */
function databaseTarget(kind: DbKind, folder: string, key: string, adminUrl: string | undefined) {
  if (kind === "sqlite") {
    const file = path.join(folder, "tokui.sqlite");
    return {
      kind,
      url: `file:${file}`,
      label: file,
      exists: async () => fs.existsSync(file),
      recreate: async () => {
        for (const end of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + end, { force: true });
        const db = new Sqlite(file);
        db.pragma("journal_mode = WAL");
        db.close();
      },
      exec: async (sql: string) => {
        const db = new Sqlite(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
    };
  }
  const name = `tokui_bench_analytics_${key.replace(/[^a-z0-9]/gi, "_")}`.toLowerCase();
  const dbUrl = new URL(adminUrl!);
  dbUrl.pathname = `/${name}`;
  const withClient = async <T>(connection: string, work: (c: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: connection });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    kind,
    url: dbUrl.toString(),
    label: `${name} on ${redact(adminUrl!)}`,
    exists: () => withClient(adminUrl!, async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1),
    recreate: () =>
      withClient(adminUrl!, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${name}`);
      }),
    exec: (sql: string) => withClient(dbUrl.toString(), (c) => c.query(sql)).then(() => undefined),
  };
}

type Target = ReturnType<typeof databaseTarget>;

const benchDatabase = (target: Target): BenchDatabase => ({ kind: target.kind, url: target.url, label: target.label, drop: async () => undefined });

const SYNTHETIC_RANK_REASON = "bench: synthetic history";

/**
 * An import records one rank change per customer, dated at the import (none → today's rank). A
 * shop that had Tokui for three years would have recorded each step when the order that took
 * the customer there arrived: replace the import's rows with those steps (default tiers by order
 * count: 1st order → first, 2nd → second, 3rd → regular, 10th → vip; VIP by spend is left out),
 * so that "rank moves in the period" has realistic rows to count. Not timed.
 */
async function synthesizeRankHistory(target: Target): Promise<{ removed: number; inserted: number }> {
  const reader = await openReader(benchDatabase(target));
  try {
    const [before] = await reader.query<{ n: number | string }>(`SELECT count(*) AS n FROM "RankChange" WHERE "shop" = $1`, [SHOP]);
    // Our own constants, written into the statement (target.exec takes no parameters).
    await target.exec(
      `DELETE FROM "RankChange" WHERE "shop" = '${SHOP}';
       INSERT INTO "RankChange" ("shop", "customerId", "fromRank", "toRank", "reason", "orderCount", "windowSpent", "createdAt")
       SELECT "shop", "customerId",
              CASE n WHEN 2 THEN 'first' WHEN 3 THEN 'second' WHEN 10 THEN 'regular' END,
              CASE n WHEN 1 THEN 'first' WHEN 2 THEN 'second' WHEN 3 THEN 'regular' ELSE 'vip' END,
              '${SYNTHETIC_RANK_REASON}', n, 0, "processedAt"
       FROM (
         SELECT "shop", "customerId", "processedAt", row_number() OVER (PARTITION BY "customerId" ORDER BY "processedAt", "id") AS n
         FROM "Order"
         WHERE "shop" = '${SHOP}' AND "customerId" IS NOT NULL AND "cancelledAt" IS NULL AND NOT ("totalPrice" > 0 AND "currentTotal" <= 0)
       ) counted
       WHERE n IN (1, 2, 3, 10);`,
    );
    const [after] = await reader.query<{ n: number | string }>(`SELECT count(*) AS n FROM "RankChange" WHERE "shop" = $1`, [SHOP]);
    return { removed: Number(before?.n ?? 0), inserted: Number(after?.n ?? 0) };
  } finally {
    await reader.close();
  }
}

function withoutResult<T>(timed: Timing & { last: T }): Timing {
  const { last: _last, ...timing } = timed;
  return timing;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

/** `npm run tokui -- import` without npm: the CLI in its own process, as an operator runs it. */
async function runImport(
  databaseUrl: string,
  file: string,
  orders: number,
  timeoutMs: number,
  onSpawn: (child: ChildProcess) => void,
  progress: (text: string) => void,
): Promise<ImportFigures> {
  const at = load();
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "app/cli/tokui.ts", "import", "--shop", SHOP, "--file", file], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, DATABASE_URL: databaseUrl, TOKUI_LOG: "silent" },
  });
  onSpawn(child);
  let tail = "";
  let lastShown = 0;
  child.stderr!.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
    const done = /… (\d+) orders from \d+ lines\n[^…]*$/.exec(tail);
    if (done && performance.now() - lastShown > 15_000) {
      lastShown = performance.now();
      const seconds = (performance.now() - started) / 1000;
      progress(`  … ${fmt(Number(done[1]))} orders in ${fmt(seconds)} s (${fmt(Number(done[1]) / seconds)} orders/s, load ${load()})`);
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    const last = tail.trim().split("\n").slice(-3).join(" / ");
    throw new Error(code === null ? `tokui import did not finish within --import-timeout ${timeoutMs / 1000} s` : `tokui import exited with ${code}: ${last}`);
  }
  const reported = /in (\d+(?:\.\d+)?) s;/.exec(tail);
  return {
    orders,
    seconds: round(seconds, 1),
    ordersPerSecond: round(orders / seconds, 0),
    cliReportedSeconds: reported ? Number(reported[1]) : null,
    load: at,
    at: new Date().toISOString(),
  };
}

/** One more run with the SQL traced; statements slower than SLOW_STATEMENT_MS with their plans. */
async function slowStatements(fn: () => Promise<unknown>, connection: DirectConnection, period: Period, query: string): Promise<Results["slowStatements"]> {
  const tracer = sqliteTracer();
  tracer.start();
  let traced: TracedStatement[];
  try {
    await fn();
  } finally {
    traced = tracer.stop();
  }
  return explainSlow(traced, connection, period, query);
}

async function explainSlow(traced: TracedStatement[], connection: DirectConnection, period: Period | "all", query: string): Promise<Results["slowStatements"]> {
  const bySql = new Map<string, { first: TracedStatement; ms: number; runs: number; maxMs: number }>();
  for (const t of traced) {
    const entry = bySql.get(t.sql) ?? { first: t, ms: 0, runs: 0, maxMs: 0 };
    entry.ms += t.ms;
    entry.runs += 1;
    entry.maxMs = Math.max(entry.maxMs, t.ms);
    bySql.set(t.sql, entry);
  }
  const slow: Results["slowStatements"] = [];
  for (const e of [...bySql.values()].filter((x) => x.maxMs >= SLOW_STATEMENT_MS)) {
    const plan = await connection.explain(e.first.sql, e.first.args).catch((error: unknown) => `(EXPLAIN failed: ${String(error)})`);
    slow.push({ period, query, ms: round(e.ms, 1), runs: e.runs, maxMs: round(e.maxMs, 1), sql: e.first.sql.trim(), plan });
  }
  return slow;
}

// ---------------------------------------------------------------------------------------------

function table(r: Results): string {
  const lines: string[] = [];
  const d = r.data;
  lines.push(`Tokui analytics benchmark (${r.startedAt})`);
  lines.push(`  machine     ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GB, Node ${r.machine.node}; load average now ${load()}`);
  lines.push(`  database    ${r.database.kind}: ${r.database.label}`);
  lines.push(
    `  shop        ${fmt(d.customers)} customers, ${fmt(d.orders)} orders (${fmt(d.guestOrders)} guest, ${fmt(d.cancelled)} cancelled, ` +
      `${fmt(d.refundedFully)} fully + ${fmt(d.refundedPartly)} partly refunded), ${fmt(d.lines)} lines, ${d.products} products; ` +
      `${d.from.slice(0, 10)} … ${d.to.slice(0, 10)}; now = ${r.now}`,
  );
  lines.push(`              customers by orders: ${Object.entries(d.customersByOrders).map(([k, v]) => `${k}: ${fmt(v)}`).join(", ")}`);
  lines.push(`  rows        ${Object.entries(r.rows).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
  lines.push(
    `  import      ${fmt(r.import.ordersPerSecond)} orders/s (${fmt(r.import.seconds, 1)} s, tokui import as a child process, load ${r.import.load})` +
      `${r.import.reused ? ` — from ${r.import.at}, reused` : ""}`,
  );
  if (r.rfmRefresh) lines.push(`  refreshRfm  ${fmt(r.rfmRefresh.ms)} ms (once, load ${r.rfmRefresh.load})`);
  lines.push("");
  const ms = (t: Timing | null, k: "coldMs" | "medianMs" | "maxMs" | "cpuMedianMs") => (t ? fmt(t[k], 1) : "—");
  lines.push(`  ${"period".padEnd(6)} ${"figure".padEnd(16)} ${"ours cold".padStart(10)} ${"median".padStart(9)} ${"max".padStart(9)} ${"cpu".padStart(7)}   ${"lower cold".padStart(10)} ${"median".padStart(9)} ${"max".padStart(9)}  ${"ours÷lower".padStart(10)}  ${"same?".padEnd(6)} load`);
  for (const period of new Set(r.queries.map((q) => q.period))) {
    for (const q of r.queries.filter((x) => x.period === period)) {
      lines.push(
        `  ${period.padEnd(6)} ${q.name.padEnd(16)} ${ms(q.ours, "coldMs").padStart(10)} ${ms(q.ours, "medianMs").padStart(9)} ${ms(q.ours, "maxMs").padStart(9)} ${ms(q.ours, "cpuMedianMs").padStart(7)}   ` +
          `${ms(q.lower, "coldMs").padStart(10)} ${ms(q.lower, "medianMs").padStart(9)} ${ms(q.lower, "maxMs").padStart(9)}  ` +
          `${(q.ratio === null ? "—" : `${fmt(q.ratio, 2)}×`).padStart(10)}  ${same(q).padEnd(6)} ${q.ours?.load ?? q.lower?.load ?? ""}${q.error ? `  ERROR ${q.error}` : ""}`,
      );
    }
    const dash = r.dashboard.find((x) => x.period === period);
    if (dash) {
      lines.push(
        `  ${period.padEnd(6)} ${"loadDashboard".padEnd(16)} ${ms(dash.ours, "coldMs").padStart(10)} ${ms(dash.ours, "medianMs").padStart(9)} ${ms(dash.ours, "maxMs").padStart(9)} ${ms(dash.ours, "cpuMedianMs").padStart(7)}   ` +
          `${"Σ".padStart(10)} ${fmt(dash.lowerSumMs, 1).padStart(9)} ${"".padStart(9)}  ${(dash.ratio === null ? "—" : `${fmt(dash.ratio, 2)}×`).padStart(10)}  ` +
          `${"".padEnd(6)} ${dash.ours?.load ?? ""}  target ≤ ${TARGET_MS} ms: ${dash.met === null ? "not measured" : dash.met ? "met" : "NOT MET"}`,
      );
    }
  }
  lines.push(`  (same? = loadDashboard's figure equals the lower bound's rows; see the warnings when not)`);
  lines.push(
    `  (ms; ours = through the app's Prisma client in this process; lower = one SQL statement on a direct connection; cold = first run, then median/max of ` +
      `${r.queries[0]?.ours?.runs.length ?? r.queries[0]?.lower?.runs.length ?? 0}; cpu = median CPU time of this process per run${r.database.kind === "postgresql" ? ", the PostgreSQL server's not included" : ""})`,
  );
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

const same = (q: QueryRow) => (q.differences === undefined ? "—" : q.differences.length === 0 ? "yes" : `NO ${q.differences.length}`);

function writeFindings(file: string, r: Results, text: string) {
  const out: string[] = [];
  out.push(`# bench:analytics findings (${r.startedAt})`, "");
  out.push(`- database: ${r.database.kind} \`${r.database.label}\` (cache folder \`${r.cacheFolder}\`; \`npm run bench:analytics -- --reuse\` reuses it)`);
  out.push(`- shop: \`${SHOP}\`, currency ${CURRENCY}, time zone ${TIME_ZONE}, now = ${r.now}`);
  out.push(`- rows: ${Object.entries(r.rows).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
  out.push(`- load average at the end: ${load()} (2 cores, shared)`);
  out.push("", "```", text, "```", "");
  const notes: string[] = [];
  for (const d of r.dashboard) {
    if (d.ours) {
      notes.push(
        `loadDashboard ${d.period}: ${fmt(d.ours.medianMs, 1)} ms wall (median; cold ${fmt(d.ours.coldMs, 1)}, max ${fmt(d.ours.maxMs, 1)}), ` +
          `${fmt(d.ours.cpuMedianMs, 1)} ms CPU of this process, at load ${d.ours.load}; target ≤ ${TARGET_MS} ms ${d.met ? "met" : "NOT met"} on wall time.`,
      );
    }
  }
  for (const q of r.queries) {
    if (q.ratio !== null && q.ratio >= 1.5 && q.ours && q.ours.medianMs >= 5) notes.push(`${q.period} ${q.name}: ${fmt(q.ratio, 2)}× its lower bound (${fmt(q.ours.medianMs, 1)} vs ${fmt(q.lower!.medianMs, 1)} ms).`);
    if (q.differences?.length) notes.push(`${q.period} ${q.name}: differs from the lower bound — ${q.differences.slice(0, 3).join("; ")}`);
  }
  if (r.rfmRefresh) notes.push(`refreshRfm: ${fmt(r.rfmRefresh.ms)} ms once (load ${r.rfmRefresh.load}); it precomputes cohorts and products, whose live statements cost what the "(live)" rows show.`);
  if (notes.length > 0) out.push("## Observations", "", ...notes.map((n) => `- ${n}`), "");
  if (r.slowStatements.length > 0) {
    out.push(`## Statements the app ran that took ≥ ${SLOW_STATEMENT_MS} ms (one traced run; one text run several times is summed), with EXPLAIN QUERY PLAN`, "");
    for (const s of r.slowStatements.sort((a, b) => b.ms - a.ms)) {
      const runs = s.runs > 1 ? ` in ${s.runs} runs (max ${fmt(s.maxMs, 1)} ms)` : "";
      out.push(`### ${s.period === "all" ? "" : `${s.period} `}${s.query}: ${fmt(s.ms, 1)} ms${runs}`, "", "```sql", s.sql, "```", "", "```", s.plan, "```", "");
    }
  }
  out.push("## Lower-bound statements", "", "bench/lib/analytics-lower-bound.ts (one statement per figure).");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${out.join("\n")}\n`);
  process.stderr.write(`findings written to ${file}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:analytics failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
