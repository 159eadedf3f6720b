/**
 * The historical backfill (docs/decisions/0016-historical-backfill.md): the "backfill" job, one
 * step at a time, each step a short job so webhook processing keeps its turn in the queue.
 *
 *   queued → customers: export every customer (bulkOperationRunQuery), follow the operation
 *            (status polls with backoff; the bulk_operations/finish webhook wakes the poll),
 *            stream the file into the customers' personal data
 *          → orders: export ORDERS_BULK_QUERY, follow it the same way
 *          → importing: stream the file through importOrdersJsonl (`tokui import`'s path), a
 *            slice per job, progress recorded as batches commit
 *          → recomputing: every rank (recomputeShop) → done
 *
 * Resume: progress is in the run (linesDone, bytesDone); a step that dies is taken over once its
 * lease expires and downloads the file again from bytesDone (HTTP Range) or, when the server
 * ignores Range, skipping the first linesDone lines. The import is idempotent anyway (a snapshot
 * not newer than the stored order changes nothing), so a batch imported twice is harmless.
 */
import type { Database } from "../db.server";
import { backfillError, pollDelayMs, type BackfillErrorCode } from "../domain/backfill-progress";
import type { CustomerRef } from "../domain/types";
import { logger } from "../logger.server";
import { ensureCustomers, upsertCustomers } from "../models/customer.server";
import { ensureShop } from "../models/shop.server";
import { MAX_ATTEMPTS, PermanentJobError, RetryableJobError, type JobQueue } from "../queue/types";
import { adminFor, callAdmin, type AdminGraphql } from "../shopify/admin-client.server";
import { ORDERS_BULK_QUERY } from "../shopify/bulk-import";
import { BulkLineError, bulkCustomerRef, parseBulkOperation, sameBulkQuery, CUSTOMERS_BULK_QUERY } from "../shopify/bulk-operations";
import { BULK_OPERATION_RUN_QUERY, BULK_OPERATION_STATUS_QUERY, RUNNING_BULK_OPERATIONS_QUERY } from "../shopify/graphql/documents";
import { LostRunError, claimRun, enqueueStep, recordProgress, releaseRun } from "./backfill-run.server";
import { importOrdersJsonl } from "./import-orders.server";
import { recomputeShop } from "./recompute.server";

export interface BackfillDeps {
  admin: (shop: string) => Promise<AdminGraphql>;
  fetch: typeof fetch;
  now: () => Date;
  /** One job's share of an import; the next job continues where it stopped. */
  sliceMs: number;
  /** … or this many lines (tests use it to cut slices deterministically). */
  sliceLines: number;
  batchSize: number;
  leaseMs: number;
}

const DEFAULTS: BackfillDeps = {
  admin: adminFor,
  fetch: (...args) => fetch(...args),
  now: () => new Date(),
  sliceMs: 15_000,
  sliceLines: Number.POSITIVE_INFINITY,
  batchSize: 500,
  leaseMs: 2 * 60_000,
};

/** A failed or expired export is run again this many times before the run fails. */
export const MAX_RESTARTS = 2;
/** Waiting for another bulk export of the app to finish: about two hours at most. */
const MAX_BUSY_POLLS = 120;
const MAX_BAD_LINE_SAMPLES = 20;

type Kind = "customers" | "orders";
type Run = NonNullable<Awaited<ReturnType<Database["prisma"]["backfillRun"]["findUnique"]>>>;
type RunPatch = Parameters<Database["prisma"]["backfillRun"]["updateMany"]>[0]["data"];

const QUERY: Record<Kind, string> = { customers: CUSTOMERS_BULK_QUERY, orders: ORDERS_BULK_QUERY };

/** A fresh phase: no operation yet. */
const phaseStart = (kind: Kind, restarts: number): RunPatch => ({
  status: kind,
  bulkOperationGid: null,
  operationCreatedAt: null,
  resultUrl: null,
  objectCount: 0,
  linesDone: 0,
  bytesDone: 0n,
  polls: 0,
  restarts,
});

/** The "backfill" job: one step of run `runId`, if `step` is still the run's current one. */
export async function runBackfillJob(
  db: Database,
  queue: JobQueue,
  shop: string,
  job: { runId: number; step: number; attempt?: number },
  overrides: Partial<BackfillDeps> = {},
): Promise<void> {
  const deps = { ...DEFAULTS, ...overrides };
  const claim = await claimRun(db.prisma, shop, job.runId, job.step, deps.now(), deps.leaseMs);
  if (!claim.claimed) {
    if (claim.why === "stale") return; // a newer job of this run has taken over
    throw new RetryableJobError(`backfill run ${job.runId} is held by another worker`, claim.retryAfterMs);
  }
  const run = await db.prisma.backfillRun.findUniqueOrThrow({ where: { id: job.runId } });
  const step = new BackfillStep(db, queue, shop, run, deps);
  try {
    await step.run();
  } catch (error) {
    if (error instanceof LostRunError) return;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentJobError) {
      await step.fail(classifyPermanent(message), message);
      return;
    }
    const lastAttempt = (job.attempt ?? 1) >= MAX_ATTEMPTS;
    if (lastAttempt) {
      await step.fail(error instanceof RetryableJobError ? "shopify" : "internal", message);
      return;
    }
    if (error instanceof RetryableJobError) {
      // Shopify or the file host is unavailable: the job's retry may take the run at once.
      await releaseRun(db.prisma, run.id, run.step);
      throw error;
    }
    // Anything else is handled like a crash: nothing is cleaned up, the lease runs out and the
    // job's retry continues from the progress recorded so far.
    logger.error("backfill step failed", { shop, runId: run.id, status: run.status, error: message });
    throw error;
  }
}

function classifyPermanent(message: string): BackfillErrorCode {
  if (/no offline session/.test(message)) return "notInstalled";
  if (/HTTP 403|ACCESS_DENIED/.test(message)) return "accessDenied";
  return "shopify";
}

class BackfillStep {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly shop: string,
    private readonly state: Run,
    private readonly deps: BackfillDeps,
  ) {}

  private get prisma() {
    return this.db.prisma;
  }

  private lease(): Date {
    return new Date(this.deps.now().getTime() + this.deps.leaseMs);
  }

  async run(): Promise<void> {
    const run = this.state;
    switch (run.status) {
      case "queued":
        await ensureShop(this.prisma, this.shop);
        return this.advance({ ...phaseStart("customers", 0), startedAt: this.deps.now() }, 0);
      case "customers":
        if (run.bulkOperationGid === null) return this.startOperation("customers");
        if (run.resultUrl === null) return this.poll("customers");
        return this.importFile("customers");
      case "orders":
        if (run.bulkOperationGid === null) return this.startOperation("orders");
        return this.poll("orders");
      case "importing":
        return this.importFile("orders");
      case "recomputing":
        return this.recompute();
    }
  }

  /**
   * End this step: record `patch`, hand the run to the next step's job (after `delayMs`, or
   * none when the run is over) — one transaction, so exactly one job carries the run on.
   */
  private async advance(patch: RunPatch, delayMs: number | null): Promise<void> {
    const { id, step } = this.state;
    await this.prisma.$transaction(async (tx) => {
      const updated = await tx.backfillRun.updateMany({ where: { id, step }, data: { ...patch, step: step + 1, leaseUntil: null } });
      if (updated.count === 0) throw new LostRunError(`backfill run ${id} was taken over by another worker`);
      if (delayMs !== null) {
        // The queue's clock, not deps.now: the job becomes due in real time.
        await enqueueStep(tx, this.queue, this.shop, id, step + 1, delayMs > 0 ? new Date(Date.now() + delayMs) : undefined);
      }
    });
    if (delayMs === 0) this.queue.kick();
  }

  async fail(code: BackfillErrorCode, detail: string): Promise<void> {
    logger.warn("backfill run failed", { shop: this.shop, runId: this.state.id, code, detail });
    await this.advance({ status: "failed", error: backfillError(code, detail), finishedAt: this.deps.now(), resultUrl: null }, null).catch(
      (error: unknown) => {
        if (!(error instanceof LostRunError)) throw error;
      },
    );
  }

  private async admin(): Promise<AdminGraphql> {
    return this.deps.admin(this.shop);
  }

  private async startOperation(kind: Kind): Promise<void> {
    const run = this.state;
    const admin = await this.admin();
    const data = await callAdmin(admin, BULK_OPERATION_RUN_QUERY, { query: QUERY[kind] });
    const payload = (data.bulkOperationRunQuery ?? {}) as { bulkOperation?: unknown; userErrors?: { code?: string | null; message: string }[] };
    const userErrors = payload.userErrors ?? [];
    if (userErrors.length > 0 || !payload.bulkOperation) {
      const busy = userErrors.some((e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED");
      const detail = userErrors.map((e) => e.message).join("; ") || "no operation returned";
      if (!busy) return this.fail("refused", detail);
      // Shopify runs one bulk query per app and shop. If it is this very export (we started it
      // and died before saving its id), follow it; if it is another, wait for it.
      const running = await this.runningOperations(admin);
      const ours = running.find((op) => op.query !== null && sameBulkQuery(op.query, QUERY[kind]));
      if (ours) {
        return this.advance({ bulkOperationGid: ours.id, operationCreatedAt: ours.createdAt ?? this.deps.now(), polls: 0, error: null }, pollDelayMs(0));
      }
      if (run.polls >= MAX_BUSY_POLLS) return this.fail("busy", `${detail} (${running.map((op) => op.id).join(", ")})`);
      return this.advance({ polls: run.polls + 1, error: backfillError("busy", detail) }, pollDelayMs(run.polls + 1));
    }
    const operation = parseBulkOperation(payload.bulkOperation);
    await this.advance(
      { bulkOperationGid: operation.id, operationCreatedAt: operation.createdAt ?? this.deps.now(), polls: 0, objectCount: 0, error: null },
      pollDelayMs(0),
    );
  }

  private async runningOperations(admin: AdminGraphql) {
    const data = await callAdmin(admin, RUNNING_BULK_OPERATIONS_QUERY, {});
    const nodes = ((data.bulkOperations ?? {}) as { nodes?: unknown[] }).nodes ?? [];
    return nodes.map(parseBulkOperation);
  }

  private async operation(admin: AdminGraphql) {
    const data = await callAdmin(admin, BULK_OPERATION_STATUS_QUERY, { id: this.state.bulkOperationGid });
    return data.bulkOperation ? parseBulkOperation(data.bulkOperation) : null;
  }

  private async poll(kind: Kind): Promise<void> {
    const run = this.state;
    const operation = await this.operation(await this.admin());
    if (!operation) return this.restart(kind, "the export is no longer known to Shopify");
    const objectCount = operation.objectCount;
    switch (operation.status) {
      case "CREATED":
      case "RUNNING":
      case "CANCELING":
        return this.advance({ objectCount, polls: run.polls + 1 }, pollDelayMs(run.polls + 1));
      case "COMPLETED":
        // No url: nothing to export (a shop without orders).
        if (!operation.url) return this.phaseDone(kind, { objectCount });
        return this.advance(
          { status: kind === "orders" ? "importing" : "customers", resultUrl: operation.url, objectCount, linesDone: 0, bytesDone: 0n },
          0,
        );
      case "FAILED": {
        const code = operation.errorCode ?? "UNKNOWN";
        if (code === "ACCESS_DENIED") {
          return this.fail("accessDenied", `Shopify refused the ${kind} export (ACCESS_DENIED): a scope is missing`);
        }
        if (run.restarts < MAX_RESTARTS) return this.restart(kind, `the ${kind} export failed (${code})`);
        if (!operation.partialDataUrl) return this.fail("exportFailed", `the ${kind} export failed ${run.restarts + 1} times (${code})`);
        // Out of restarts: keep what Shopify did export, then end the run as failed.
        return this.advance(
          {
            status: kind === "orders" ? "importing" : "customers",
            resultUrl: operation.partialDataUrl,
            objectCount,
            linesDone: 0,
            bytesDone: 0n,
            restarts: MAX_RESTARTS + 1,
            error: backfillError("partialImported", `the ${kind} export failed ${run.restarts + 1} times (${code}); its partial data is imported`),
          },
          0,
        );
      }
      case "CANCELED":
        return this.advance(
          { status: "cancelled", error: backfillError("cancelled", `the ${kind} export was cancelled in Shopify`), finishedAt: this.deps.now() },
          null,
        );
      case "EXPIRED":
        return this.restart(kind, `the ${kind} export's file expired`);
    }
  }

  private async restart(kind: Kind, why: string): Promise<void> {
    const run = this.state;
    if (run.restarts >= MAX_RESTARTS) return this.fail(why.includes("expired") ? "download" : "exportFailed", `${why}, ${run.restarts + 1} times`);
    logger.warn("backfill export restarted", { shop: this.shop, runId: run.id, kind, why });
    await this.advance(phaseStart(kind, run.restarts + 1), 0);
  }

  /** The phase's file is imported (or there was none): on to the next phase. */
  private async phaseDone(kind: Kind, patch: RunPatch): Promise<void> {
    const run = this.state;
    if (run.restarts > MAX_RESTARTS) {
      // Partial data of a failed export was imported: the run ends failed (the page says so).
      return this.advance({ ...patch, status: "failed", resultUrl: null, finishedAt: this.deps.now() }, null);
    }
    if (kind === "customers") return this.advance({ ...patch, ...phaseStart("orders", 0) }, 0);
    return this.advance({ ...patch, status: "recomputing", resultUrl: null }, 0);
  }

  /** Download the result file from where the run stopped and import one slice of it. */
  private async importFile(kind: Kind): Promise<void> {
    const run = this.state;
    const from = Number(run.bytesDone);
    let response: Response;
    try {
      response = await this.deps.fetch(run.resultUrl!, { headers: from > 0 ? { Range: `bytes=${from}-` } : {} });
    } catch (error) {
      throw new RetryableJobError(`the ${kind} file could not be downloaded: ${String(error)}`);
    }
    if (response.status === 416) return this.phaseDone(kind, {}); // everything was imported already
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableJobError(`the ${kind} file could not be downloaded: HTTP ${response.status}`);
    }
    if (!response.ok || !response.body) return this.refreshUrl(kind, response.status);
    // 206: the server resumed at `from`. 200: it sent the whole file, so skip what is imported.
    const resumed = response.status === 206;
    const lines = new JsonlLines(chunksOf(response.body), {
      startBytes: resumed ? from : 0,
      skipLines: resumed ? 0 : run.linesDone,
      stopBefore: sliceEnd(kind, this.deps),
    });
    const progress = kind === "orders" ? await this.importOrders(lines) : await this.importCustomers(lines);
    const patch = { linesDone: run.linesDone + lines.count, bytesDone: BigInt(lines.endOf(lines.count)), ...progress };
    if (lines.stopped) return this.advance(patch, 0); // the next job imports the next slice
    return this.phaseDone(kind, patch);
  }

  /** A result URL the host refuses (signature expired): ask Shopify for a fresh one. */
  private async refreshUrl(kind: Kind, status: number): Promise<void> {
    const run = this.state;
    const operation = await this.operation(await this.admin());
    const url = operation?.status === "COMPLETED" ? operation.url : operation?.status === "FAILED" ? operation.partialDataUrl : null;
    if (url && url !== run.resultUrl) return this.advance({ resultUrl: url }, 0);
    await this.restart(kind, `the ${kind} file could not be downloaded (HTTP ${status}); the export's file expired`);
  }

  /** Bad lines are counted once their line is committed (a resumed slice reads them again). */
  private badLines() {
    const run = this.state;
    const pending: { line: number; text: string }[] = [];
    let count = run.badLines;
    const samples = samplesOf(run.badLineSamples);
    return {
      add: (line: number, text: string) => pending.push({ line, text }),
      /** Lines 1…through are committed: their bad lines count. */
      commit: (through: number) => {
        while (pending.length > 0 && pending[0]!.line <= through) {
          const bad = pending.shift()!;
          count++;
          if (samples.length < MAX_BAD_LINE_SAMPLES) samples.push(bad.text);
        }
        return { badLines: count, badLineSamples: samples.length > 0 ? JSON.stringify(samples) : null };
      },
    };
  }

  private async importOrders(lines: JsonlLines): Promise<RunPatch> {
    const run = this.state;
    const bad = this.badLines();
    let committedOrders = 0;
    const result = await importOrdersJsonl(this.db, this.queue, { lines }, {
      shop: this.shop,
      batchSize: this.deps.batchSize,
      now: this.deps.now,
      lineOffset: run.linesDone,
      onBadLine: (line, message) => bad.add(line, `orders line ${line}: ${message}`),
      onCommitted: async ({ lines: through, orders }) => {
        committedOrders = orders;
        await recordProgress(
          this.prisma,
          run.id,
          run.step,
          {
            linesDone: run.linesDone + through,
            bytesDone: BigInt(lines.endOf(through)),
            ordersImported: run.ordersImported + orders,
            ...bad.commit(run.linesDone + through),
          },
          this.lease(),
        );
      },
    });
    committedOrders = result.orders;
    return { ordersImported: run.ordersImported + committedOrders, ...bad.commit(run.linesDone + result.lines) };
  }

  /**
   * The customers export → their rows' personal data, through the ingestion's own customer code
   * (a redacted customer stays redacted). A customer whose stored orders are newer than the
   * export (a webhook arrived meanwhile) keeps the personal data that came with them.
   */
  private async importCustomers(lines: JsonlLines): Promise<RunPatch> {
    const run = this.state;
    const bad = this.badLines();
    let imported = run.customersImported;
    let batch: { line: number; text: string }[] = [];
    const commit = async () => {
      if (batch.length === 0) return;
      const through = batch[batch.length - 1]!.line;
      const refs: CustomerRef[] = [];
      for (const { line, text } of batch) {
        if (text.trim() === "") continue;
        try {
          refs.push(bulkCustomerRef(text));
        } catch (error) {
          if (!(error instanceof BulkLineError)) throw error;
          bad.add(line, `customers line ${line}: ${error.message}`);
        }
      }
      batch = [];
      const newer = await this.customersWithNewerOrders(refs.map((r) => r.gid));
      const toWrite = refs.map((ref) => (newer.has(ref.gid) ? { gid: ref.gid } : ref));
      await ensureCustomers(this.prisma, this.shop, toWrite);
      imported += refs.length;
      const relative = through - run.linesDone;
      await this.prisma.$transaction(async (tx) => {
        await upsertCustomers(tx, this.shop, toWrite);
        await recordProgress(
          tx,
          run.id,
          run.step,
          { linesDone: through, bytesDone: BigInt(lines.endOf(relative)), customersImported: imported, ...bad.commit(through) },
          this.lease(),
        );
      });
    };
    for await (const text of lines) {
      batch.push({ line: run.linesDone + lines.count, text });
      if (batch.length >= this.deps.batchSize) await commit();
    }
    await commit();
    return { customersImported: imported, ...bad.commit(run.linesDone + lines.count) };
  }

  private async customersWithNewerOrders(gids: string[]): Promise<Set<string>> {
    const since = this.state.operationCreatedAt;
    if (gids.length === 0 || !since) return new Set();
    const rows = await this.prisma.order.findMany({
      where: { shop: this.shop, sourceUpdatedAt: { gt: since }, customer: { gid: { in: gids } } },
      select: { customer: { select: { gid: true } } },
    });
    return new Set(rows.flatMap((r) => (r.customer ? [r.customer.gid] : [])));
  }

  /** Every rank, as `tokui recompute` does; imports never grant milestone rewards. */
  private async recompute(): Promise<void> {
    const run = this.state;
    await recomputeShop(this.db, this.queue, this.shop, this.deps.now(), () => recordProgress(this.prisma, run.id, run.step, {}, this.lease()));
    await this.advance({ status: "done", finishedAt: this.deps.now(), resultUrl: null }, null);
  }
}

/**
 * A download's chunks as they arrive. Read directly rather than through a Node stream, which
 * reads ahead and drops what it buffered when the connection fails; an early end (the slice is
 * over) cancels the download.
 */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

function samplesOf(json: string | null): string[] {
  try {
    const value: unknown = json ? JSON.parse(json) : [];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Where a slice may stop: once it has run long enough, before the next record starts — for
 * orders, a line that is not a line item (those carry __parentId), so no order is split.
 */
function sliceEnd(kind: Kind, deps: BackfillDeps): (line: string, count: number) => boolean {
  const started = performance.now();
  return (line, count) => {
    if (count < deps.sliceLines && performance.now() - started < deps.sliceMs) return false;
    return kind === "customers" || !line.includes('"__parentId"');
  };
}

/**
 * The lines of a JSONL download, with the byte offset after each (to resume with HTTP Range).
 * Skips `skipLines` lines first (a server that ignored Range sent the whole file again), and
 * ends early — not consuming the line — where `stopBefore` says.
 */
export class JsonlLines implements AsyncIterable<string> {
  /** Lines handed out. */
  count = 0;
  /** Ended at stopBefore rather than at the end of the file. */
  stopped = false;
  private readonly ends: number[] = [];
  private skippedBytes = 0;

  constructor(
    private readonly body: AsyncIterable<Uint8Array>,
    private readonly options: { startBytes: number; skipLines: number; stopBefore: (line: string, count: number) => boolean },
  ) {}

  /** Byte offset in the file right after the `k`-th line handed out (0: where they start). */
  endOf(k: number): number {
    if (k <= 0) return this.options.startBytes + this.skippedBytes;
    return this.ends[k - 1]!;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    let skip = this.options.skipLines;
    let offset = this.options.startBytes;
    let pending: Buffer = Buffer.alloc(0);
    const take = (line: string, size: number): "skip" | "stop" | "take" => {
      if (skip > 0) {
        skip--;
        offset += size;
        this.skippedBytes += size;
        return "skip";
      }
      if (this.options.stopBefore(line, this.count)) {
        this.stopped = true;
        return "stop";
      }
      offset += size;
      this.count++;
      this.ends.push(offset);
      return "take";
    };
    for await (const chunk of this.body) {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
      let start = 0;
      for (let nl = pending.indexOf(10, start); nl !== -1; nl = pending.indexOf(10, start)) {
        const raw = pending.toString("utf8", start, nl);
        const size = nl + 1 - start;
        start = nl + 1;
        const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
        const verdict = take(line, size);
        if (verdict === "stop") return;
        if (verdict === "take") yield line;
      }
      pending = pending.subarray(start);
    }
    if (pending.length > 0) {
      const line = pending.toString("utf8");
      const verdict = take(line, pending.length);
      if (verdict === "take") yield line;
    }
  }
}
