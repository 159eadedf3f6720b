/**
 * Japan's 47 prefectures by ISO 3166-2 code (Customer.provinceCode, as Shopify's address
 * `provinceCode` "13" becomes "JP-13"), with their names in Japanese and English, in the
 * conventional north-to-south order (the codes' order).
 */
export interface Prefecture {
  code: string;
  ja: string;
  en: string;
}

const NAMES: [string, string][] = [
  ["北海道", "Hokkaido"], ["青森県", "Aomori"], ["岩手県", "Iwate"], ["宮城県", "Miyagi"], ["秋田県", "Akita"],
  ["山形県", "Yamagata"], ["福島県", "Fukushima"], ["茨城県", "Ibaraki"], ["栃木県", "Tochigi"], ["群馬県", "Gunma"],
  ["埼玉県", "Saitama"], ["千葉県", "Chiba"], ["東京都", "Tokyo"], ["神奈川県", "Kanagawa"], ["新潟県", "Niigata"],
  ["富山県", "Toyama"], ["石川県", "Ishikawa"], ["福井県", "Fukui"], ["山梨県", "Yamanashi"], ["長野県", "Nagano"],
  ["岐阜県", "Gifu"], ["静岡県", "Shizuoka"], ["愛知県", "Aichi"], ["三重県", "Mie"], ["滋賀県", "Shiga"],
  ["京都府", "Kyoto"], ["大阪府", "Osaka"], ["兵庫県", "Hyogo"], ["奈良県", "Nara"], ["和歌山県", "Wakayama"],
  ["鳥取県", "Tottori"], ["島根県", "Shimane"], ["岡山県", "Okayama"], ["広島県", "Hiroshima"], ["山口県", "Yamaguchi"],
  ["徳島県", "Tokushima"], ["香川県", "Kagawa"], ["愛媛県", "Ehime"], ["高知県", "Kochi"], ["福岡県", "Fukuoka"],
  ["佐賀県", "Saga"], ["長崎県", "Nagasaki"], ["熊本県", "Kumamoto"], ["大分県", "Oita"], ["宮崎県", "Miyazaki"],
  ["鹿児島県", "Kagoshima"], ["沖縄県", "Okinawa"],
];

export const PREFECTURES: readonly Prefecture[] = NAMES.map(([ja, en], i) => ({ code: `JP-${String(i + 1).padStart(2, "0")}`, ja, en }));

const BY_CODE = new Map(PREFECTURES.map((p) => [p.code, p]));

/** "JP-13" → 東京都 / Tokyo; other codes (other countries, unknown) as they are. */
export function regionName(code: string | null | undefined, locale: "ja" | "en"): string {
  if (!code) return "";
  return BY_CODE.get(code.toUpperCase())?.[locale] ?? code;
}

/** Country names from ICU ("JP" → 日本 / Japan). */
export function countryName(code: string | null | undefined, locale: "ja" | "en"): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
