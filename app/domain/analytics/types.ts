/**
 * The merchant dashboard's figures (issue 4 §2): what the analytics engine computes and the
 * dashboard page shows. Everything here is JSON-serialisable as is (the loader returns it
 * unchanged): money as bigint minor units written as decimal integer strings, shares as integer
 * numerator/denominator pairs (no float ever holds money or a count ratio), instants as ISO text.
 * Definitions in docs/decisions/0013-analytics.md.
 *
 * Ground rules for every figure:
 * - A counted order is neither cancelled nor fully refunded (domain/customer-stats isCountedOrder);
 *   other orders count nowhere.
 * - Guest orders (no customer) count in orders and revenue, never in a customer figure.
 * - Orders in another currency than the shop's count as orders (and as purchases of their
 *   customer) but add no money: there is no exchange rate to add them with.
 * - "Customers" are customers with at least one counted order; per-customer lifetime figures
 *   (order count, first/second/last order, lifetime spend) are over all their counted orders,
 *   as stored on Customer.
 */

/** Money: bigint minor units of the shop currency as a decimal integer string ("1980" = ¥1,980; "1250" = $12.50). Show with displayMoney(BigInt(x), currency, locale). */
export type MinorUnits = string;

/** An instant as ISO 8601 UTC text ("2026-03-01T15:00:00.000Z"). */
export type IsoInstant = string;

/** A calendar month in the shop's time zone, "YYYY-MM". */
export type YearMonth = string;

/** A share of counts: num / den, both integers, 0 ≤ num ≤ den. den = 0 means "no data" (show "—", not 0%). */
export interface Share {
  num: number;
  den: number;
}

/** A share of money: part / total in minor units; also as a fixed 4-decimal string ("0.8123"), "0.0000" when total is 0. */
export interface MoneyShare {
  part: MinorUnits;
  total: MinorUnits;
  /** part / total rounded half up to 4 decimals, as text (for a chart: Number(ratio)). */
  ratio: string;
}

/** What the dashboard is asked for. The period is half-open: from ≤ t < to. */
export interface DashboardParams {
  shop: string;
  /** Period start, inclusive. */
  from: Date;
  /** Period end, exclusive. */
  to: Date;
  /** "As of": F2 eligibility, cohort months and the RFM staleness check are measured from here. */
  now: Date;
  /** The shop currency (Shop.currency): only orders in it add money. */
  currency: string;
  /** IANA time zone of the shop (Shop.ianaTimezone, default Asia/Tokyo): cohort months are calendar months there. */
  timeZone: string;
}

/** F2 horizons in days (first → second purchase within N days). */
export const F2_HORIZON_DAYS = [30, 60, 90, 180] as const;
export type F2HorizonDays = (typeof F2_HORIZON_DAYS)[number];

/** Number of first-purchase months in the cohort table (the month of `now` and the 11 before). */
export const COHORT_MONTHS = 12;

/** Pareto curve resolution: one point per percent of customers (0 %, 1 %, …, 100 %). */
export const PARETO_STEPS = 100;

/** A product appears in "top products by repeat rate" only with at least this many buyers. */
export const PRODUCT_MIN_BUYERS = 10;

/** How many products "top products by repeat rate" lists. */
export const PRODUCT_TOP = 10;

/** RFM scores and precomputed tables older than this are refreshed in the background. */
export const RFM_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Figures for the chosen period [from, to). */
export interface PeriodSummary {
  /** Customers with at least one counted order in the period (guests excluded). */
  customers: number;
  /** Of `customers`: those whose first counted order ever is in the period (new customers). */
  newCustomers: number;
  /** Counted orders in the period, guests' and other currencies' included. */
  orders: number;
  /** Of `orders`: guest orders (no customer). */
  guestOrders: number;
  /** Of `orders`: orders in another currency than the shop's (counted, but no revenue). */
  foreignCurrencyOrders: number;
  /** Σ current total (after refunds) of counted orders in the period in the shop currency, guests' included. */
  revenue: MinorUnits;
  /** Repeat rate: period customers who had bought at least twice by the period end (second counted order before `to`) / period customers. */
  repeatRate: Share;
  /**
   * Average days between orders (purchase cycle) of the period's customers with 2+ counted
   * orders: Σ(last − first order) / Σ(order count − 1) over their whole history, in days with
   * one decimal ("23.4"); null when none of them has a second order.
   */
  averageDaysBetweenOrders: string | null;
  /** How many order-to-order gaps averageDaysBetweenOrders averages over (Σ(order count − 1)). */
  orderGaps: number;
  /** Average LTV: Σ lifetime spend / number of the period's customers, rounded half up to minor units; null when there are none. */
  averageLtv: MinorUnits | null;
}

/** F2 conversion within one horizon. */
export interface F2Horizon {
  days: F2HorizonDays;
  /** Cohort customers whose first order was at least `days` days before `now` (they had the full horizon). */
  eligible: number;
  /** Of `eligible`: second counted order at most `days` × 24 h after the first. */
  converted: number;
}

/**
 * F2 conversion (first → second purchase). The cohort: customers whose first counted order is
 * in the period. A first buyer who has not had N days yet is left out of the N-day figure
 * rather than counted as not converted.
 */
export interface F2Conversion {
  /** Customers whose first counted order ever is in the period. */
  cohort: number;
  /** One entry per F2_HORIZON_DAYS, in that order. */
  horizons: F2Horizon[];
  /** Cohort customers with a second counted order at any time (eligible = the whole cohort). */
  ever: { eligible: number; converted: number };
}

/** One point of the Pareto curve: the top `customers` customers by lifetime spend and what they spent. */
export interface ParetoPoint {
  /** Percent of customers, 0–100 (x axis). */
  percent: number;
  /** Number of top customers: ceil(percent × total customers / 100). */
  customers: number;
  /** Their lifetime spend (the largest spenders first). */
  revenue: MinorUnits;
  /** revenue / total lifetime spend, 4 decimals as text (y axis). */
  ratio: string;
}

/** The 20/80 check over all customers and their lifetime spend (as `tokui report`). */
export interface ParetoData {
  /** Customers with at least one counted order. */
  customers: number;
  /** Σ lifetime spend of all customers (shop currency; guests have none). */
  revenue: MinorUnits;
  /** The top ceil(20 %) of customers by lifetime spend and their share of it (ties at the boundary: any order, the sum is the same). */
  top20: { customers: number; share: MoneyShare };
  /** PARETO_STEPS + 1 points, percent 0 … 100; empty when there are no customers. */
  points: ParetoPoint[];
}

/** Customers currently in one rank. */
export interface RankBucket {
  /** RankTier.key; "none" (UNRANKED_KEY) for customers with counted orders but no rank. */
  key: string;
  /** RankTier.position (1 = lowest); 0 for "none"; null for a key no current tier has (a deleted tier). */
  position: number | null;
  labelJa: string | null;
  labelEn: string | null;
  /** Customers with at least one counted order in this rank now. */
  customers: number;
}

/** Rank changes with the same from → to in the period. */
export interface RankTransition {
  /** null = no rank. */
  from: string | null;
  to: string | null;
  /** Rank changes (RankChange rows) created in the period. */
  count: number;
  /** By current tier positions (no rank = 0): up, down, or other when a key is no current tier's. */
  direction: "up" | "down" | "other";
}

export interface RankData {
  /** Ordered by position (deleted tiers last, "none" first); tiers without customers included with 0. */
  distribution: RankBucket[];
  /** Rank changes created in the period, by direction (RankChange.createdAt in [from, to)). */
  moves: { up: number; down: number; other: number };
  /** The same changes per from → to, most frequent first. */
  transitions: RankTransition[];
}

/** One step of the order-count funnel 1 → 2 → 3 → 4 → 5+ (all customers, lifetime order counts). */
export interface FunnelStep {
  /** 1, 2, 3, 4 or 5 (= 5 or more orders). */
  orders: 1 | 2 | 3 | 4 | 5;
  /** Customers with at least `orders` counted orders. */
  reached: number;
  /** Customers who stopped here (exactly `orders` orders; for 5: all with 5+). */
  stopped: number;
  /** reached / reached of the step before (step 1: reached / reached). */
  fromPrevious: Share;
  /** Drop-off into this step: reached of the step before − reached (0 for step 1). */
  dropOff: number;
}

/** One first-purchase month of the cohort table. */
export interface CohortRow {
  /** First-purchase month in the shop's time zone. */
  month: YearMonth;
  /** Customers whose first counted order is in this month. */
  customers: number;
  /**
   * retained[k − 1] = cohort customers with a counted order in month +k (k = 1, 2, …), up to
   * the month of `now` (the last entry is the month in progress); empty for the current month.
   */
  retained: number[];
}

export interface CohortTable {
  /** When it was computed (= `now` when computed live). */
  asOf: IsoInstant | null;
  /** COHORT_MONTHS rows, oldest first, ending with the month of `now`. */
  rows: CohortRow[];
}

/** Named RFM segments (docs/decisions/0013-analytics.md has the R × F map). */
export const RFM_SEGMENTS = [
  "champions",
  "loyal",
  "potentialLoyalists",
  "new",
  "promising",
  "needAttention",
  "atRisk",
  "cannotLose",
  "hibernating",
  "lost",
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export interface RfmSegmentEntry {
  segment: RfmSegment;
  /** Scored customers in the segment. */
  customers: number;
  /** Σ lifetime spend of those customers. */
  revenue: MinorUnits;
}

export interface RfmData {
  /** When the scores were computed for the whole shop (Customer.rfmAsOf); null = never. */
  asOf: IsoInstant | null;
  /** True when asOf is null or older than RFM_MAX_AGE_MS before `now` (loadDashboard then queues a refresh when given the queue). */
  stale: boolean;
  /** Customers with counted orders and scores. */
  scored: number;
  /** Customers with counted orders but no scores yet (first order after asOf). */
  unscored: number;
  /** All RFM_SEGMENTS in that order, zeros included. */
  segments: RfmSegmentEntry[];
  /** Customers per recency × frequency score (1–5 each); only cells with customers. */
  grid: { recency: number; frequency: number; customers: number }[];
}

export interface ProductRepeat {
  productGid: string;
  /** The product's title on its order line stored last (counted orders, guests' included). */
  title: string;
  /** Customers who bought it in at least one counted order. */
  buyers: number;
  /** Of those: customers who bought it in at least two different counted orders. */
  repeatBuyers: number;
}

export interface ProductRepeatData {
  /** When it was computed (precomputed with the RFM refresh); null = never. */
  asOf: IsoInstant | null;
  /** Products with fewer buyers are left out (PRODUCT_MIN_BUYERS). */
  minBuyers: number;
  /** Up to PRODUCT_TOP products by repeatBuyers / buyers, then buyers, then productGid. */
  items: ProductRepeat[];
}

/** Everything the dashboard shows. */
export interface DashboardData {
  shop: string;
  currency: string;
  timeZone: string;
  from: IsoInstant;
  to: IsoInstant;
  now: IsoInstant;
  summary: PeriodSummary;
  f2: F2Conversion;
  pareto: ParetoData;
  ranks: RankData;
  funnel: FunnelStep[];
  cohorts: CohortTable;
  rfm: RfmData;
  products: ProductRepeatData;
}
