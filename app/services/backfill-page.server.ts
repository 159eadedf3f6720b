/** The Import history page: whether old orders are readable, the runs, and starting one. */
import type { Database } from "../db.server";
import type { JobQueue } from "../queue/types";
import { callAdmin, type AdminGraphql } from "../shopify/admin-client.server";
import { APP_ACCESS_SCOPES_QUERY } from "../shopify/graphql/documents";
import { recentBackfillRuns, startBackfillRun, type BackfillRunView, type StartResult } from "./backfill-run.server";

export const ALL_ORDERS_SCOPE = "read_all_orders";

export interface ScopeCheck {
  /** null: could not be checked (Shopify unreachable). */
  granted: boolean | null;
  source: "session" | "shopify" | "unknown";
}

/**
 * Without read_all_orders Shopify returns only the last 60 days of orders. The session's scope
 * string says what was granted at the last token exchange; when it lacks the scope, Shopify's
 * own list (currentAppInstallation) is asked, as the session may predate a grant.
 */
export async function checkAllOrdersScope(sessionScope: string | undefined, admin: AdminGraphql): Promise<ScopeCheck> {
  const granted = (scopes: string[]) => scopes.map((s) => s.trim()).includes(ALL_ORDERS_SCOPE);
  if (granted((sessionScope ?? "").split(","))) return { granted: true, source: "session" };
  try {
    const data = await callAdmin(admin, APP_ACCESS_SCOPES_QUERY, {});
    const installation = data.currentAppInstallation as { accessScopes?: { handle: string }[] } | null;
    return { granted: granted((installation?.accessScopes ?? []).map((s) => s.handle)), source: "shopify" };
  } catch {
    return { granted: null, source: "unknown" };
  }
}

export interface BackfillPage {
  scope: ScopeCheck;
  runs: (BackfillRunView & { startedLabel: string; finishedLabel: string })[];
}

/** Dates as the shop's local time, written on the server so the browser renders the same text. */
function formatter(timeZone: string) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return (iso: string | null) => (iso ? format.format(new Date(iso)).replace(",", "") : "");
}

export async function loadBackfillPage(db: Database, shop: string, scope: ScopeCheck): Promise<BackfillPage> {
  const [runs, settings] = await Promise.all([
    recentBackfillRuns(db.prisma, shop),
    db.prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } }),
  ]);
  let format: (iso: string | null) => string;
  try {
    format = formatter(settings?.ianaTimezone ?? "Asia/Tokyo");
  } catch {
    format = formatter("UTC"); // an unknown zone name
  }
  return {
    scope,
    runs: runs.map((run) => ({ ...run, startedLabel: format(run.startedAt ?? run.createdAt), finishedLabel: format(run.finishedAt) })),
  };
}

export async function startBackfill(db: Database, queue: JobQueue, shop: string, scope: ScopeCheck): Promise<StartResult> {
  return startBackfillRun(db, queue, shop, { allOrdersScope: scope.granted });
}
