/**
 * Why a customer's rank changed, stored with each RankChange as a short, stable English text
 * (readable in the database and logs) and shown to merchants in their language.
 */
export const orderReason = (orderName: string, source: string) => `order ${orderName} (${source})`;
export const refundReason = (refundGid: string, source: string) => `refund ${refundGid} (${source})`;
export const recomputeReason = (asOf: Date) => `recompute as of ${asOf.toISOString()}`;
export const importReason = () => "history import";

const SOURCES: Record<string, { ja: string; en: string }> = {
  "orders/create": { ja: "新規注文", en: "new order" },
  "orders/updated": { ja: "注文の更新", en: "order updated" },
  "orders/paid": { ja: "支払い", en: "order paid" },
  "orders/cancelled": { ja: "キャンセル", en: "order cancelled" },
  "refunds/create": { ja: "返金", en: "refund" },
  import: { ja: "履歴の取り込み", en: "history import" },
};

export function describeReason(reason: string, locale: "ja" | "en"): string {
  const source = (s: string) => SOURCES[s]?.[locale] ?? s;
  let m = /^order (.+) \((.+)\)$/.exec(reason);
  if (m) return locale === "ja" ? `注文 ${m[1]}（${source(m[2]!)}）` : `Order ${m[1]} (${source(m[2]!)})`;
  m = /^refund (.+) \((.+)\)$/.exec(reason);
  if (m) return locale === "ja" ? `返金（${source(m[2]!)}）` : `Refund (${source(m[2]!)})`;
  if (reason === importReason()) return locale === "ja" ? "注文履歴の取り込み" : "Order history import";
  m = /^recompute as of (\d{4}-\d{2}-\d{2})T/.exec(reason);
  if (m) return locale === "ja" ? `${m[1]} 時点の再計算（12か月の期間の経過）` : `Recomputed as of ${m[1]} (12-month window moved)`;
  return reason;
}
