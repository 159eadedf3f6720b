/**
 * The customer list's filter, read from the URL's search parameters. One parser for the list
 * page, the CSV export and the tag sync, so the three select exactly the same customers
 * (docs/decisions/0015-customer-workspace.md). Pure: no database, no clock.
 *
 * Parameters (all optional, repeatable ones may also be comma-separated):
 *   q          words; every word must match a name, the email, a tag or a note (partial, any case)
 *   rank       rank keys (repeatable); "none" = customers without a rank
 *   segment    RFM segment keys (repeatable)
 *   minOrders / maxOrders   counted orders, inclusive
 *   lastFrom / lastTo       last order date, YYYY-MM-DD inclusive, in the shop's time zone
 *   product    a product GID, its numeric id, or words of its title (bought it, not cancelled)
 *   country    ISO 3166-1 alpha-2 ("JP");  region   ISO 3166-2 ("JP-13")
 *   note       has a note in this category ("any" = any note)
 *   sort / dir lastOrder | orderCount | lifetimeSpent | name | firstOrder, asc | desc
 *   after / before   keyset cursor of the page boundary (the list only)
 */
import type { Localized } from "./messages";

export const SORT_KEYS = ["lastOrder", "orderCount", "lifetimeSpent", "name", "firstOrder"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

export const NOTE_CATEGORIES = ["request", "complaint", "praise", "question", "other"] as const;
export type NoteCategory = (typeof NOTE_CATEGORIES)[number];

/** Customers without a rank (the same key the reports use). */
export const NO_RANK = "none";

export type ProductFilter = { kind: "gid"; gid: string } | { kind: "title"; text: string };

export interface CustomerFilter {
  /** Search words (already split on spaces, including the ideographic space). */
  terms: string[];
  ranks: string[];
  segments: string[];
  minOrders: number | null;
  maxOrders: number | null;
  /** Calendar days in the shop's time zone, inclusive. */
  lastOrderFrom: string | null;
  lastOrderTo: string | null;
  product: ProductFilter | null;
  country: string | null;
  region: string | null;
  note: NoteCategory | "any" | null;
}

export interface CustomerOrder {
  sort: SortKey;
  direction: SortDirection;
}

/** A page boundary: the sort value of the row and its id (the tiebreak). */
export interface Cursor {
  sort: SortKey;
  direction: SortDirection;
  /** ISO timestamp, decimal string, name text, or null (rows without the value sort last). */
  value: string | number | null;
  id: number;
}

export interface FilterError {
  param: string;
  message: Localized;
}

export interface ParsedCustomerQuery {
  filter: CustomerFilter;
  order: CustomerOrder;
  after: Cursor | null;
  before: Cursor | null;
  /** Parameters that were refused; they are left out of `filter`. */
  errors: FilterError[];
}

export const FILTER_PARAMS = ["q", "rank", "segment", "minOrders", "maxOrders", "lastFrom", "lastTo", "product", "country", "region", "note"] as const;
const LIST_PARAMS = [...FILTER_PARAMS, "sort", "dir", "after", "before"] as const;

export const MAX_QUERY_LENGTH = 200;
const MAX_TERMS = 10;
const MAX_ORDERS = 1_000_000;
const KEY = /^[A-Za-z0-9_-]{1,100}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const PRODUCT_GID = /^gid:\/\/shopify\/Product\/(\d{1,20})$/;

export const emptyFilter = (): CustomerFilter => ({
  terms: [],
  ranks: [],
  segments: [],
  minOrders: null,
  maxOrders: null,
  lastOrderFrom: null,
  lastOrderTo: null,
  product: null,
  country: null,
  region: null,
  note: null,
});

export const defaultOrder = (sort: SortKey = "lastOrder"): CustomerOrder => ({ sort, direction: sort === "name" ? "asc" : "desc" });

const err = (param: string, en: string, ja: string): FilterError => ({ param, message: { en, ja } });

/** All values of a repeatable parameter, comma-separated ones split, blanks dropped. */
function many(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}

function one(params: URLSearchParams, name: string): string | null {
  const value = params.get(name)?.trim();
  return value ? value : null;
}

/** Full-width digits (１２) as typed with a Japanese IME become ASCII. */
const ascii = (text: string) => text.normalize("NFKC").trim();

export function isCalendarDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1970 && y <= 2999 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Splits a search into words: ASCII and ideographic spaces both separate words. */
export function searchTerms(q: string): string[] {
  return q.split(/[\s\u3000]+/u).filter(Boolean);
}

/** Reads the list's parameters. Never throws: refused parameters come back as errors, in ja and en. */
export function parseCustomerQuery(params: URLSearchParams): ParsedCustomerQuery {
  const errors: FilterError[] = [];
  const filter = emptyFilter();

  const q = params.get("q")?.trim() ?? "";
  if (q.length > MAX_QUERY_LENGTH) {
    errors.push(err("q", `Search is too long (at most ${MAX_QUERY_LENGTH} characters).`, `検索語が長すぎます（${MAX_QUERY_LENGTH}文字まで）。`));
  } else {
    const terms = searchTerms(q);
    if (terms.length > MAX_TERMS) errors.push(err("q", `Search for at most ${MAX_TERMS} words at once.`, `検索語は${MAX_TERMS}語までです。`));
    else filter.terms = terms;
  }

  for (const [param, target] of [["rank", "ranks"], ["segment", "segments"]] as const) {
    const values = many(params, param);
    const bad = values.filter((v) => !KEY.test(v));
    if (bad.length > 0) {
      errors.push(
        param === "rank"
          ? err("rank", `Unknown rank: ${bad.join(", ")}.`, `ランクが正しくありません: ${bad.join("、")}`)
          : err("segment", `Unknown RFM segment: ${bad.join(", ")}.`, `RFMセグメントが正しくありません: ${bad.join("、")}`),
      );
    } else {
      filter[target] = [...new Set(values)];
    }
  }

  for (const param of ["minOrders", "maxOrders"] as const) {
    const raw = one(params, param);
    if (raw === null) continue;
    const text = ascii(raw);
    if (!/^\d+$/.test(text) || Number(text) > MAX_ORDERS) {
      errors.push(
        err(
          param,
          `${param === "minOrders" ? "Minimum" : "Maximum"} orders must be a whole number from 0 to ${MAX_ORDERS.toLocaleString("en")}.`,
          `${param === "minOrders" ? "注文回数（以上）" : "注文回数（以下）"}は0〜${MAX_ORDERS.toLocaleString("ja")}の整数で入力してください。`,
        ),
      );
    } else {
      filter[param] = Number(text);
    }
  }
  if (filter.minOrders !== null && filter.maxOrders !== null && filter.minOrders > filter.maxOrders) {
    errors.push(err("maxOrders", "Maximum orders is below the minimum.", "注文回数の上限が下限より小さくなっています。"));
    filter.minOrders = filter.maxOrders = null;
  }

  for (const [param, target] of [["lastFrom", "lastOrderFrom"], ["lastTo", "lastOrderTo"]] as const) {
    const raw = one(params, param);
    if (raw === null) continue;
    const text = ascii(raw).replace(/\//g, "-");
    if (!isCalendarDay(text)) {
      errors.push(err(param, `"${raw}" is not a date (YYYY-MM-DD).`, `「${raw}」は日付（YYYY-MM-DD）ではありません。`));
    } else {
      filter[target] = text;
    }
  }
  if (filter.lastOrderFrom && filter.lastOrderTo && filter.lastOrderFrom > filter.lastOrderTo) {
    errors.push(err("lastTo", "The last-order period ends before it starts.", "最終注文日の期間の終わりが始まりより前です。"));
    filter.lastOrderFrom = filter.lastOrderTo = null;
  }

  const product = one(params, "product");
  if (product !== null) {
    if (product.length > MAX_QUERY_LENGTH) {
      errors.push(err("product", `Product is too long (at most ${MAX_QUERY_LENGTH} characters).`, `商品の指定が長すぎます（${MAX_QUERY_LENGTH}文字まで）。`));
    } else {
      const id = PRODUCT_GID.exec(product)?.[1] ?? (/^\d{1,20}$/.test(ascii(product)) ? ascii(product) : null);
      filter.product = id ? { kind: "gid", gid: `gid://shopify/Product/${id}` } : { kind: "title", text: product };
    }
  }

  const country = one(params, "country");
  if (country !== null) {
    const code = ascii(country).toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) errors.push(err("country", `"${country}" is not a country code (such as JP).`, `「${country}」は国コード（JP など）ではありません。`));
    else filter.country = code;
  }
  const region = one(params, "region");
  if (region !== null) {
    const code = ascii(region).toUpperCase();
    if (!/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(code)) {
      errors.push(err("region", `"${region}" is not a region code (such as JP-13).`, `「${region}」は地域コード（JP-13 など）ではありません。`));
    } else if (filter.country !== null && !code.startsWith(`${filter.country}-`)) {
      errors.push(err("region", `Region ${code} is not in ${filter.country}.`, `地域 ${code} は ${filter.country} にありません。`));
    } else {
      filter.region = code;
      filter.country = code.slice(0, 2);
    }
  }

  const note = one(params, "note");
  if (note !== null) {
    if (note === "any" || (NOTE_CATEGORIES as readonly string[]).includes(note)) filter.note = note as NoteCategory | "any";
    else errors.push(err("note", `Unknown note category: ${note}.`, `メモの分類が正しくありません: ${note}`));
  }

  let order = defaultOrder();
  const sort = one(params, "sort");
  if (sort !== null) {
    if ((SORT_KEYS as readonly string[]).includes(sort)) order = defaultOrder(sort as SortKey);
    else errors.push(err("sort", `Cannot sort by ${sort}.`, `「${sort}」では並べ替えできません。`));
  }
  const dir = one(params, "dir");
  if (dir !== null) {
    if (dir === "asc" || dir === "desc") order = { ...order, direction: dir };
    else errors.push(err("dir", `Sort direction must be asc or desc.`, `並び順は asc か desc です。`));
  }

  let after: Cursor | null = null;
  let before: Cursor | null = null;
  for (const param of ["after", "before"] as const) {
    const raw = one(params, param);
    if (raw === null) continue;
    const cursor = decodeCursor(raw);
    if (!cursor || cursor.sort !== order.sort || cursor.direction !== order.direction) {
      errors.push(err(param, "This page link is out of date; showing the first page.", "ページのリンクが古いため、最初のページを表示しています。"));
    } else if (param === "after") {
      after = cursor;
    } else {
      before = cursor;
    }
  }
  if (after && before) before = null;

  return { filter, order, after, before, errors };
}

/**
 * The canonical parameters of a filter (and order): what links, the export URL and TagSyncRun.filter
 * carry. parseCustomerQuery(filterParams(f)) gives f back.
 */
export function filterParams(filter: CustomerFilter, order?: CustomerOrder): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.terms.length > 0) params.set("q", filter.terms.join(" "));
  for (const rank of filter.ranks) params.append("rank", rank);
  for (const segment of filter.segments) params.append("segment", segment);
  if (filter.minOrders !== null) params.set("minOrders", String(filter.minOrders));
  if (filter.maxOrders !== null) params.set("maxOrders", String(filter.maxOrders));
  if (filter.lastOrderFrom) params.set("lastFrom", filter.lastOrderFrom);
  if (filter.lastOrderTo) params.set("lastTo", filter.lastOrderTo);
  if (filter.product) params.set("product", filter.product.kind === "gid" ? filter.product.gid : filter.product.text);
  if (filter.region) params.set("region", filter.region);
  else if (filter.country) params.set("country", filter.country);
  if (filter.note) params.set("note", filter.note);
  if (order) {
    params.set("sort", order.sort);
    params.set("dir", order.direction);
  }
  return params;
}

/** The filter as TagSyncRun.filter stores it: its canonical parameters as a JSON object. */
export function filterToJson(filter: CustomerFilter): string {
  const out: Record<string, string[]> = {};
  for (const [key, value] of filterParams(filter)) (out[key] ??= []).push(value);
  return JSON.stringify(out);
}

export function filterFromJson(json: string): ParsedCustomerQuery {
  const params = new URLSearchParams();
  const parsed = JSON.parse(json) as Record<string, unknown>;
  for (const [key, values] of Object.entries(parsed)) {
    for (const value of Array.isArray(values) ? values : [values]) params.append(key, String(value));
  }
  return parseCustomerQuery(params);
}

/** Other search parameters of the page (embedded, shop, host, locale …) kept; the list's replaced. */
export function withListParams(current: URLSearchParams, next: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of current) if (!(LIST_PARAMS as readonly string[]).includes(key) && key !== "id_token") out.append(key, value);
  for (const [key, value] of next) out.append(key, value);
  return out;
}

export const isFilterEmpty = (filter: CustomerFilter) => filterParams(filter).toString() === "";

export function encodeCursor(cursor: Cursor): string {
  return base64url(JSON.stringify([cursor.sort, cursor.direction, cursor.value, cursor.id]));
}

export function decodeCursor(text: string): Cursor | null {
  try {
    const value = JSON.parse(fromBase64url(text)) as unknown;
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [sort, direction, v, id] = value as unknown[];
    if (!(SORT_KEYS as readonly unknown[]).includes(sort) || (direction !== "asc" && direction !== "desc")) return null;
    if (!Number.isSafeInteger(id) || (id as number) < 0) return null;
    if (v !== null && typeof v !== "string" && typeof v !== "number") return null;
    if (typeof v === "string" && v.length > 1000) return null;
    const cursor: Cursor = { sort: sort as SortKey, direction, value: v, id: id as number };
    return cursorValueValid(cursor) ? cursor : null;
  } catch {
    return null;
  }
}

function cursorValueValid({ sort, value }: Cursor): boolean {
  switch (sort) {
    case "lastOrder":
    case "firstOrder":
      return value === null || (typeof value === "string" && !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value));
    case "orderCount":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "lifetimeSpent":
      return typeof value === "string" && /^-?\d{1,30}$/.test(value);
    case "name":
      return typeof value === "string";
  }
}

// Browser and Node alike (the page builds links; no Buffer in the browser).
function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally (ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The offset of `timeZone` from UTC at `at`, in milliseconds. */
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - Math.floor(at / 1000) * 1000;
}

/** The instant a calendar day starts in a time zone ("2026-01-31", "Asia/Tokyo" → 2026-01-30T15:00Z). */
export function startOfDay(day: string, timeZone: string): Date {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  let at = utc - zoneOffsetMs(utc, timeZone);
  // Across a daylight-saving change the offset at the guess may differ from the one at the result.
  at = utc - zoneOffsetMs(at, timeZone);
  return new Date(at);
}

export function nextDay(day: string): string {
  const m = DAY.exec(day)!;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)).toISOString().slice(0, 10);
}

/** [from, to) instants of the last-order filter, or nulls. */
export function lastOrderRange(filter: CustomerFilter, timeZone: string): { from: Date | null; to: Date | null } {
  return {
    from: filter.lastOrderFrom ? startOfDay(filter.lastOrderFrom, timeZone) : null,
    to: filter.lastOrderTo ? startOfDay(nextDay(filter.lastOrderTo), timeZone) : null,
  };
}

/** The calendar day of an instant in a time zone, YYYY-MM-DD. */
export function dayIn(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}
