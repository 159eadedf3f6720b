/**
 * A synthetic shop's whole order history for bench:analytics, written straight to disk as the
 * bulk-operation JSONL that `tokui import` reads (each Order line, then its LineItem lines with
 * `__parentId`; see app/shopify/bulk-import.ts).
 *
 * Shape (deterministic for a seed; the clock is the fixed `now`, never the wall clock):
 * - customers: ~60 % buy once; repeaters' order counts follow a truncated discrete Pareto tail
 *   whose exponent is solved so that customers' orders add up to exactly `orders` − guests.
 *   (1M orders over 100k customers is ten orders per customer on average: with 60 % one-time
 *   buyers the tail is necessarily heavy — thousands, not hundreds, with 30+ orders.)
 * - time: ~3 years up to `now`, acquisitions growing with the shop and seasonal (New Year,
 *   お中元 in July, Black Friday, お歳暮 in December), some repeat orders pulled into the gift
 *   seasons; a repeater's orders follow its own rhythm, which for buyers of a consumable is the
 *   product's refill interval (30–90 days) with a little jitter.
 * - catalogue: 300 products (a third consumables), Zipf popularity, 1–3 variants; 1–4 lines per
 *   order; JPY amounts (integers), free shipping from ¥5,000 (otherwise ¥600).
 * - ~3 % guest orders, ~3 % cancelled, ~3 % refunded (half of them fully).
 *
 * Memory: a few typed arrays per order (times, buyer); the JSONL of one order exists only while
 * it is being written.
 */
import fs from "node:fs";
import { once } from "node:events";
import { random } from "../../scripts/random";

export const HISTORY_GENERATOR_VERSION = 3;
const DAY = 86_400_000;
const HISTORY_DAYS = 3 * 365;
const ONE_TIME_SHARE = 0.6;
const GUEST_SHARE = 0.03;
const CANCEL_SHARE = 0.03;
const REFUND_SHARE = 0.03;
const FULL_REFUND_SHARE = 0.5; // of the refunded orders
const MAX_ORDERS_PER_CUSTOMER = 200; // ~ every 5 days for 3 years
const PARETO_SCALE = 1; // small: two-time buyers are the largest group of repeaters
const PRODUCT_COUNT = 300;
const CONSUMABLE_SHARE = 1 / 3;
const STAPLE_SHARE = 0.7; // repeaters whose rhythm is a consumable's refill interval
const FREE_SHIPPING_FROM = 5000;
const SHIPPING = 600;
// Month (0 = January, JST) → relative demand.
const SEASON = [1.15, 0.8, 0.9, 0.9, 1.0, 1.05, 1.3, 0.9, 0.85, 0.9, 1.2, 1.55];
const SEASON_MAX = Math.max(...SEASON);
const LINES_PER_ORDER = [0.55, 0.28, 0.12, 0.05]; // 1, 2, 3, 4

export interface ShopHistoryOptions {
  customers: number;
  orders: number;
  seed: number;
  now: Date;
}

export interface Product {
  index: number;
  gid: string;
  title: string;
  consumable: boolean;
  intervalDays: number;
  variants: { gid: string; sku: string; price: number }[];
}

export interface ShopHistorySummary {
  generatorVersion: number;
  customers: number;
  orders: number;
  guestOrders: number;
  lines: number;
  cancelled: number;
  refundedFully: number;
  refundedPartly: number;
  products: number;
  consumables: number;
  from: string;
  to: string;
  /** Customers by their number of orders (cancelled and refunded included): "1", "2", … "10-29", "30-99", "100+". */
  customersByOrders: Record<string, number>;
  paretoExponent: number;
  bytes: number;
  seconds: number;
}

const CATEGORIES: { name: string; consumable: boolean; base: number; units: string[] }[] = [
  { name: "煎茶", consumable: true, base: 1600, units: ["100g", "300g", "500g"] },
  { name: "ほうじ茶", consumable: true, base: 1300, units: ["200g", "500g"] },
  { name: "抹茶", consumable: true, base: 3200, units: ["30g", "100g"] },
  { name: "ドリップコーヒー", consumable: true, base: 1800, units: ["10袋", "30袋"] },
  { name: "出汁パック", consumable: true, base: 1500, units: ["8g×20", "8g×50"] },
  { name: "味噌", consumable: true, base: 1200, units: ["500g", "1kg"] },
  { name: "青汁", consumable: true, base: 3900, units: ["30包", "90包"] },
  { name: "化粧水", consumable: true, base: 4200, units: ["120mL", "詰替 300mL"] },
  { name: "美容液", consumable: true, base: 6800, units: ["30mL"] },
  { name: "和菓子 詰合せ", consumable: false, base: 3200, units: ["8個入", "16個入"] },
  { name: "贈答用 銘茶セット", consumable: false, base: 5400, units: ["3本入", "5本入"] },
  { name: "急須", consumable: false, base: 8800, units: ["朱泥", "黒泥"] },
  { name: "湯呑み", consumable: false, base: 2800, units: ["1客", "ペア"] },
  { name: "今治タオル", consumable: false, base: 2400, units: ["フェイス", "バス"] },
  { name: "手ぬぐい", consumable: false, base: 1200, units: ["1枚"] },
  { name: "漆 箸", consumable: false, base: 3300, units: ["1膳", "夫婦箸"] },
];
const SERIES = ["", "特選 ", "有機 ", "限定 ", "蔵出し ", "季節の "];
const REFILL_INTERVALS = [30, 30, 45, 60, 60, 90];

/** ¥1,980-style tax-included price near `yen`. */
const priceNear = (yen: number) => Math.max(280, Math.round(yen / 100) * 100 - 20);

export function catalogue(seed: number): Product[] {
  const rand = random(seed ^ 0x5eed);
  const products: Product[] = [];
  for (let i = 0; i < PRODUCT_COUNT; i++) {
    const consumable = i % Math.round(1 / CONSUMABLE_SHARE) === 0;
    const pool = CATEGORIES.filter((c) => c.consumable === consumable);
    const category = pool[Math.floor(rand() * pool.length)]!;
    const series = SERIES[Math.floor(rand() * SERIES.length)]!;
    const id = 8_200_000_000_000 + i + 1;
    const base = category.base * Math.exp((rand() - 0.5) * 0.8);
    products.push({
      index: i,
      gid: `gid://shopify/Product/${id}`,
      title: `${series}${category.name} No.${i + 1}`,
      consumable,
      intervalDays: consumable ? REFILL_INTERVALS[Math.floor(rand() * REFILL_INTERVALS.length)]! : 0,
      variants: category.units.map((_unit, v) => ({
        gid: `gid://shopify/ProductVariant/${45_100_000_000_000 + (i + 1) * 10 + v}`,
        sku: `TK-${String(i + 1).padStart(3, "0")}-${v + 1}`,
        price: priceNear(base * (1 + v * 1.6)),
      })),
    });
  }
  return products;
}

/** P(k ≥ 2 + j) = (1 + j/scale)^−α, truncated at `max`: the repeaters' expected order count. */
function truncatedParetoMean(alpha: number, max: number): number {
  let weighted = 0;
  let total = 0;
  for (let k = 2; k <= max; k++) {
    const p = (1 + (k - 2) / PARETO_SCALE) ** -alpha - (1 + (k - 1) / PARETO_SCALE) ** -alpha;
    weighted += p * k;
    total += p;
  }
  return weighted / total;
}

function solveParetoExponent(mean: number, max: number): number {
  let lo = 0.05;
  let hi = 20;
  if (truncatedParetoMean(lo, max) < mean) return lo; // as heavy as it gets; the top-up below fixes the sum
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (truncatedParetoMean(mid, max) > mean) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Writes the history to `file`; returns what was written. */
export async function writeShopHistory(file: string, options: ShopHistoryOptions): Promise<ShopHistorySummary> {
  const started = performance.now();
  const rand = random(options.seed);
  const now = Math.floor(options.now.getTime() / 1000) * 1000;
  const start = now - HISTORY_DAYS * DAY;
  const products = catalogue(options.seed);
  const guests = Math.round(options.orders * GUEST_SHARE);
  const customerOrders = options.orders - guests;
  const customerCount = Math.max(1, Math.min(options.customers, customerOrders));

  // ---- how many orders each customer places ----
  const mean = customerOrders / customerCount;
  // Enough one-time buyers, but never so many that the repeaters could not make up the rest.
  const oneTimeShare = mean >= ONE_TIME_SHARE + (1 - ONE_TIME_SHARE) * 2.5 ? ONE_TIME_SHARE : Math.max(0, (2.5 - mean) / 1.5);
  const oneTimers = mean <= 1 ? customerCount : Math.round(customerCount * oneTimeShare);
  const repeaters = customerCount - oneTimers;
  const repeaterMean = repeaters > 0 ? (customerOrders - oneTimers) / repeaters : 0;
  const maxOrders = Math.max(2, Math.min(MAX_ORDERS_PER_CUSTOMER, Math.ceil(repeaterMean * 20)));
  const alpha = repeaters > 0 ? solveParetoExponent(repeaterMean, maxOrders) : 0;
  const counts = new Int32Array(customerCount).fill(1);
  // Who is a repeater is random; counts are drawn, then nudged (±1 on random repeaters) to the exact total.
  const repeaterIndexes: number[] = [];
  const order = shuffled(customerCount, rand);
  for (let r = 0; r < repeaters; r++) repeaterIndexes.push(order[r]!);
  let sum = oneTimers;
  for (const c of repeaterIndexes) {
    let k: number;
    do k = 2 + Math.floor(PARETO_SCALE * ((1 - rand()) ** (-1 / alpha) - 1));
    while (k > maxOrders);
    counts[c] = k;
    sum += k;
  }
  for (let guard = 0; sum !== customerOrders && repeaterIndexes.length > 0 && guard < 100 * customerOrders; guard++) {
    const c = repeaterIndexes[Math.floor(rand() * repeaterIndexes.length)]!;
    const step = sum < customerOrders ? (counts[c]! < maxOrders ? 1 : 0) : counts[c]! > 2 ? -1 : 0;
    counts[c] = counts[c]! + step;
    sum += step;
  }
  if (sum !== customerOrders) throw new Error(`could not spread ${customerOrders} orders over ${customerCount} customers`);

  // ---- when: every order's time and buyer, in typed arrays ----
  const totalOrders = customerOrders + guests;
  const times = new Float64Array(totalOrders);
  const buyer = new Int32Array(totalOrders); // customer index, −1 = guest
  const staple = new Int16Array(customerCount).fill(-1);
  const stapleVariant = new Int8Array(customerCount);
  const firstAt = new Float64Array(customerCount);
  const zipf = zipfSampler(products.length, 1.05, rand);
  const consumables = products.filter((p) => p.consumable);
  const consumableZipf = zipfSampler(consumables.length, 1.0, rand);
  const season = (t: number) => SEASON[new Date(t + 9 * 3_600_000).getUTCMonth()]!;
  // The shop grows: three times the new customers at the end as at the start.
  const acquisition = (from: number, to: number): number => {
    for (;;) {
      const t = from + rand() * Math.max(0, to - from);
      const growth = 0.5 + Math.max(0, t - start) / (now - start);
      if (rand() * 1.5 * SEASON_MAX <= growth * season(t)) return t;
    }
  };
  // A time of day: Japanese evenings more than nights.
  const timeOfDay = (t: number) => {
    const day = Math.floor((t + 9 * 3_600_000) / DAY) * DAY - 9 * 3_600_000;
    const hour = rand() < 0.6 ? 18 + rand() * 6 : 7 + rand() * 11;
    return Math.max(start, Math.min(now - 1000, Math.floor((day + hour * 3_600_000 + rand() * 3_600_000) / 1000) * 1000));
  };
  const pullIntoGiftSeason = (t: number): number => {
    const month = new Date(t + 9 * 3_600_000).getUTCMonth();
    if (month === 10 || month === 5) {
      const moved = t + (15 + rand() * 20) * DAY;
      return moved < now ? moved : t;
    }
    return t;
  };

  let o = 0;
  for (let c = 0; c < customerCount; c++) {
    const k = counts[c]!;
    let gapDays: number;
    let regular = false;
    if (k > 1 && rand() < STAPLE_SHARE) {
      const p = consumables[consumableZipf()]!;
      staple[c] = p.index;
      stapleVariant[c] = Math.floor(rand() * p.variants.length);
      gapDays = p.intervalDays * Math.exp((rand() - 0.5) * 0.5);
      regular = true;
    } else {
      gapDays = 75 * Math.exp((rand() - 0.5) * 2);
    }
    // The active stretch [first, first + stretch] starts like an acquisition anywhere from one
    // stretch before the history to `now`, and is then shifted into the history: so every moment
    // is covered equally often (stretches shifted to end at `now` are the customers still buying).
    const span = now - start;
    if ((k - 1) * gapDays * DAY > span * 0.97) gapDays = (span * 0.97) / DAY / (k - 1);
    const stretch = (k - 1) * gapDays * DAY;
    const first = Math.max(start, Math.min(now - stretch - rand() * Math.min(gapDays, 3) * DAY, acquisition(start - stretch, now)));
    firstAt[c] = first;
    let t = first;
    const own = o;
    times[o] = timeOfDay(first);
    buyer[o++] = c;
    for (let i = 1; i < k; i++) {
      const jitter = regular ? 0.8 + 0.4 * rand() : Math.exp((rand() - 0.5) * 1.2);
      t += gapDays * jitter * DAY;
      times[o] = t;
      buyer[o++] = c;
    }
    // A jittered rhythm can overshoot `now`: squeeze this customer's orders back into the span.
    const last = times[o - 1]!;
    if (last >= now) {
      const scale = ((now - first) * 0.99) / (last - first);
      for (let i = own + 1; i < o; i++) times[i] = first + (times[i]! - first) * scale;
    }
    for (let i = own + 1; i < o; i++) times[i] = timeOfDay(regular || rand() > 0.15 ? times[i]! : pullIntoGiftSeason(times[i]!));
    times.subarray(own, o).sort();
  }
  for (let g = 0; g < guests; g++) {
    times[o] = timeOfDay(acquisition(start, now));
    buyer[o++] = -1;
  }

  // Customer ids follow their first order (Shopify's ids grow with time); orders are written in time order.
  const byFirst = Uint32Array.from({ length: customerCount }, (_, i) => i).sort((a, b) => firstAt[a]! - firstAt[b]!);
  const customerNumber = new Int32Array(customerCount);
  byFirst.forEach((c, rank) => (customerNumber[c] = rank + 1));
  const timeOrder = Uint32Array.from({ length: totalOrders }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);

  // ---- write ----
  const out = fs.createWriteStream(file, { encoding: "utf8" });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  let chunk = "";
  let bytes = 0;
  const write = async (text: string) => {
    chunk += text;
    if (chunk.length < 1 << 20) return;
    bytes += Buffer.byteLength(chunk);
    const full = !out.write(chunk);
    chunk = "";
    if (full) await Promise.race([once(out, "drain"), failed]);
  };
  const summary = { lines: 0, cancelled: 0, refundedFully: 0, refundedPartly: 0 };
  const money = (yen: number) => `{"shopMoney":{"amount":"${yen}.0","currencyCode":"JPY"}}`;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
  let lineSeq = 0;
  for (let n = 0; n < totalOrders; n++) {
    const i = timeOrder[n]!;
    const c = buyer[i]!;
    const at = times[i]!;
    const id = 5_900_000_000_000 + n + 1;
    const gid = `gid://shopify/Order/${id}`;
    // Lines: the customer's consumable first (when they have one), then popular products.
    const lineCount = 1 + pickIndex(LINES_PER_ORDER, rand());
    const chosen: { p: Product; v: number }[] = [];
    if (c >= 0 && staple[c]! >= 0 && rand() < 0.9) chosen.push({ p: products[staple[c]!]!, v: stapleVariant[c]! });
    while (chosen.length < lineCount) {
      const p = products[zipf()]!;
      if (!chosen.some((x) => x.p === p)) chosen.push({ p, v: Math.floor(rand() * p.variants.length) });
    }
    const lines = chosen.map(({ p, v }) => ({ p, v, quantity: rand() < 0.8 ? 1 : rand() < 0.75 ? 2 : 3 }));
    const subtotal = lines.reduce((s, l) => s + l.p.variants[l.v]!.price * l.quantity, 0);
    const total = subtotal + (subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING);
    let current = total;
    let cancelledAt: number | null = null;
    let updatedAt = at;
    const fate = rand();
    if (fate < CANCEL_SHARE) {
      cancelledAt = Math.min(now, at + Math.floor(1 + rand() * 47) * 3_600_000);
      current = 0;
      updatedAt = cancelledAt;
      summary.cancelled++;
    } else if (fate < CANCEL_SHARE + REFUND_SHARE) {
      if (rand() < FULL_REFUND_SHARE) {
        current = 0;
        summary.refundedFully++;
      } else {
        current = total - Math.max(1, Math.round(total * (0.1 + 0.5 * rand())));
        summary.refundedPartly++;
      }
      updatedAt = Math.min(now, at + Math.floor(1 + rand() * 20) * DAY);
    }
    let text =
      `{"id":"${gid}","name":"#${1000 + n + 1}","createdAt":"${iso(at)}","processedAt":"${iso(at)}","updatedAt":"${iso(updatedAt)}",` +
      `"cancelledAt":${cancelledAt === null ? "null" : `"${iso(cancelledAt)}"`},"currencyCode":"JPY",` +
      `"customer":${c < 0 ? "null" : `{"id":"gid://shopify/Customer/${7_900_000_000_000 + customerNumber[c]!}"}`},` +
      `"totalPriceSet":${money(total)},"currentTotalPriceSet":${money(current)}}\n`;
    for (const l of lines) {
      lineSeq++;
      const variant = l.p.variants[l.v]!;
      text +=
        `{"id":"gid://shopify/LineItem/${15_900_000_000_000 + lineSeq}","title":${JSON.stringify(l.p.title)},"quantity":${l.quantity},` +
        `"sku":"${variant.sku}","product":{"id":"${l.p.gid}"},"variant":{"id":"${variant.gid}"},` +
        `"originalUnitPriceSet":${money(variant.price)},"__parentId":"${gid}"}\n`;
    }
    summary.lines += lines.length;
    await write(text);
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await Promise.race([once(out, "finish"), failed]);

  const buckets: Record<string, number> = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10-29", "30-99", "100+"].map((k) => [k, 0]));
  const bucket = (k: number) => (k <= 9 ? String(k) : k < 30 ? "10-29" : k < 100 ? "30-99" : "100+");
  for (const k of counts) buckets[bucket(k)] = (buckets[bucket(k)] ?? 0) + 1;
  return {
    generatorVersion: HISTORY_GENERATOR_VERSION,
    customers: customerCount,
    orders: totalOrders,
    guestOrders: guests,
    lines: summary.lines,
    cancelled: summary.cancelled,
    refundedFully: summary.refundedFully,
    refundedPartly: summary.refundedPartly,
    products: products.length,
    consumables: consumables.length,
    from: new Date(times[timeOrder[0]!]!).toISOString(),
    to: new Date(times[timeOrder[totalOrders - 1]!]!).toISOString(),
    customersByOrders: buckets,
    paretoExponent: Number(alpha.toFixed(4)),
    bytes,
    seconds: (performance.now() - started) / 1000,
  };
}

function shuffled(n: number, rand: () => number): Uint32Array {
  const a = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function pickIndex(weights: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/** Index in 0..n−1 with P(i) ∝ 1/(rank+1)^s over a shuffled ranking. */
function zipfSampler(n: number, s: number, rand: () => number): () => number {
  const rankToIndex = shuffled(n, rand);
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / (r + 1) ** s;
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return rankToIndex[lo]!;
  };
}
