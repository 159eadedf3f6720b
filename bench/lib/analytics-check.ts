/**
 * Do ours and the lower bound compute the same thing? Compares the dashboard's answer
 * (DashboardData, app/domain/analytics/types.ts) with the rows of the lower-bound statements
 * (analytics-lower-bound.ts), figure by figure, on the counts and sums both have. A timing
 * beside a different number would mean nothing, so differences are reported with the figures.
 */

type Row = Record<string, unknown>;
type Data = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(typeof v === "number" ? Math.round(v) : String(v)));
const get = (o: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((x, k) => (x !== null && typeof x === "object" ? (x as Record<string | number, unknown>)[k] : undefined), o);

/** Which lower-bound statements each DashboardData figure is checked against. */
export const FIGURE_SOURCES: Record<string, string[]> = {
  summary: ["periodOrders", "periodCustomers"],
  f2: ["f2"],
  pareto: ["pareto"],
  ranks: ["rankDistribution", "rankMoves"],
  funnel: ["funnel"],
  cohorts: ["cohorts (live)"],
  rfm: ["rfm"],
  products: ["products (live)"],
};

/** DashboardData figure → differences; a figure whose lower-bound rows are missing is not compared. */
export function compareFigures(dashboard: unknown, lower: Map<string, Row[]>): Map<string, string[]> {
  const d = dashboard as Data;
  const out = new Map<string, string[]>();
  const check = (figure: string, label: string, ours: unknown, theirs: unknown) => {
    const list = out.get(figure) ?? [];
    out.set(figure, list);
    if (ours === undefined) return list.push(`${label}: not in the dashboard data`);
    if (String(ours) !== String(theirs)) list.push(`${label}: ours ${String(ours)}, lower bound ${String(theirs)}`);
  };

  const orders = lower.get("periodOrders")?.[0];
  const customers = lower.get("periodCustomers")?.[0];
  if (orders && customers && d.summary) {
    const summary = { ...orders, ...customers };
    const s = d.summary;
    check("summary", "customers", get(s, "customers"), num(summary.customers));
    check("summary", "newCustomers", get(s, "newCustomers"), num(summary.new_customers));
    check("summary", "orders", get(s, "orders"), num(summary.orders));
    check("summary", "guestOrders", get(s, "guestOrders"), num(summary.guest_orders));
    check("summary", "foreignCurrencyOrders", get(s, "foreignCurrencyOrders"), num(summary.foreign_orders));
    check("summary", "revenue", get(s, "revenue"), big(summary.revenue));
    check("summary", "repeatRate.num", get(s, "repeatRate", "num"), num(summary.repeaters));
    check("summary", "orderGaps", get(s, "orderGaps"), num(summary.gaps));
  }

  const f2 = lower.get("f2")?.[0];
  if (f2 && d.f2) {
    check("f2", "cohort", get(d.f2, "cohort"), num(f2.cohort));
    check("f2", "ever.converted", get(d.f2, "ever", "converted"), num(f2.ever_converted));
    const horizons = (get(d.f2, "horizons") as { days: number; eligible: number; converted: number }[] | undefined) ?? [];
    for (const h of horizons) {
      check("f2", `${h.days}d eligible`, h.eligible, num(f2[`eligible_${h.days}`]));
      check("f2", `${h.days}d converted`, h.converted, num(f2[`converted_${h.days}`]));
    }
  }

  const pareto = lower.get("pareto");
  if (pareto && d.pareto) {
    // Rows are spend groups (largest first): `upto` customers so far, `total` spent by them.
    const total = num(pareto[0]?.n);
    const top = Math.ceil(total * 0.2);
    const runningTotal = (rank: number): bigint => {
      const g = pareto.find((r) => num(r.upto) >= rank && num(r.upto) - num(r.customers) < rank);
      return g ? big(g.total) - BigInt(num(g.upto) - rank) * big(g.spent) : 0n;
    };
    check("pareto", "customers", get(d.pareto, "customers"), total);
    check("pareto", "revenue", get(d.pareto, "revenue"), runningTotal(total));
    check("pareto", "top20.customers", get(d.pareto, "top20", "customers"), top);
    check("pareto", "top20.share.part", get(d.pareto, "top20", "share", "part"), top === 0 ? 0n : runningTotal(top));
  }

  const ranks = lower.get("rankDistribution");
  const rankMoves = lower.get("rankMoves");
  if (ranks && rankMoves && d.ranks) {
    const distribution = (get(d.ranks, "distribution") as { key: string; customers: number }[] | undefined) ?? [];
    for (const r of ranks) {
      const key = r.rank_key === null ? "none" : String(r.rank_key);
      check("ranks", `customers in ${key}`, distribution.find((b) => b.key === key)?.customers ?? 0, num(r.n));
    }
    const moves = get(d.ranks, "moves") as { up: number; down: number; other: number } | undefined;
    const moved = rankMoves.reduce((s, r) => s + num(r.n), 0);
    check("ranks", "moves (up + down + other)", moves ? moves.up + moves.down + moves.other : undefined, moved);
  }

  const funnel = lower.get("funnel")?.[0];
  if (funnel && Array.isArray(d.funnel)) {
    for (const step of d.funnel as { orders: number; reached: number }[]) check("funnel", `reached ${step.orders}`, step.reached, num(funnel[`reached_${step.orders}`]));
  }

  const cohorts = lower.get("cohorts (live)");
  if (cohorts && d.cohorts) {
    const cell = new Map(cohorts.map((r) => [`${String(r.cohort)} ${String(r.month)}`, num(r.customers)]));
    const rows = (get(d.cohorts, "rows") as { month: string; customers: number; retained: number[] }[] | undefined) ?? [];
    for (const row of rows) {
      check("cohorts", `${row.month} customers`, row.customers, cell.get(`${row.month} ${row.month}`) ?? 0);
      row.retained.forEach((n, i) => check("cohorts", `${row.month} +${i + 1}`, n, cell.get(`${row.month} ${addMonth(row.month, i + 1)}`) ?? 0));
    }
  }

  const rfm = lower.get("rfm");
  if (rfm && d.rfm) {
    const bySegment = new Map<string, { customers: number; revenue: bigint }>();
    for (const r of rfm) {
      const key = r.segment === null ? "(unscored)" : String(r.segment);
      const e = bySegment.get(key) ?? { customers: 0, revenue: 0n };
      bySegment.set(key, { customers: e.customers + num(r.customers), revenue: e.revenue + big(r.revenue) });
    }
    check("rfm", "unscored", get(d.rfm, "unscored"), bySegment.get("(unscored)")?.customers ?? 0);
    for (const s of (get(d.rfm, "segments") as { segment: string; customers: number; revenue: string }[] | undefined) ?? []) {
      check("rfm", `${s.segment} customers`, s.customers, bySegment.get(s.segment)?.customers ?? 0);
      check("rfm", `${s.segment} revenue`, s.revenue, bySegment.get(s.segment)?.revenue ?? 0n);
    }
  }

  const products = lower.get("products (live)");
  if (products && d.products) {
    const items = (get(d.products, "items") as { productGid: string; buyers: number; repeatBuyers: number }[] | undefined) ?? [];
    const text = (list: { gid: unknown; buyers: unknown; repeat: unknown }[]) =>
      list.map((x) => `${String(x.gid).replace("gid://shopify/Product/", "")}:${num(x.repeat)}/${num(x.buyers)}`).join(" ");
    check(
      "products",
      "top products (id:repeat/buyers)",
      text(items.map((i) => ({ gid: i.productGid, buyers: i.buyers, repeat: i.repeatBuyers }))),
      text(products.map((r) => ({ gid: r.product, buyers: r.buyers, repeat: r.repeat_buyers }))),
    );
  }
  return out;
}

function addMonth(month: string, k: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + k;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
