/**
 * The body of `POST /api/post-purchase` (200). A copy of the types in app/domain/post-purchase.ts:
 * extensions are bundled on their own and never import from app/ (tests/extensions checks that
 * the two stay assignable both ways). All text is already in the shopper's language; amounts are
 * decimal strings and dates ISO 8601.
 */
import { parseSurveyOffer, type SurveyOffer } from "./survey";

export type Locale = "ja" | "en";

export interface RankRef {
  key: string;
  label: string;
}

export type RewardView =
  | {
      kind: "discount";
      title: string;
      text: string;
      code: string;
      expiresAt: string;
      valueText: string;
      minimumSubtotal: string | null;
      conditionText: string | null;
    }
  | { kind: "freeSample"; title: string; text: string };

export interface PostPurchaseView {
  rank: RankRef | null;
  /** Plain text, may contain newlines; rendered as text nodes, never as markup. */
  message: string;
  progress: {
    text: string;
    nextRank: RankRef | null;
    ordersToNext: number | null;
    amountToNext: string | null;
  } | null;
  rewards: RewardView[];
  /** The post-purchase survey, thank-you page only, when the shop has one and this order is unanswered. */
  survey?: SurveyOffer;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const strOrNull = (v: unknown): v is string | null => v === null || isStr(v);
const intOrNull = (v: unknown): v is number | null => v === null || Number.isInteger(v);

function rankRef(v: unknown): RankRef | null | undefined {
  if (v === null) return null;
  return isObj(v) && isStr(v.key) && isStr(v.label) ? { key: v.key, label: v.label } : undefined;
}

function reward(v: unknown): RewardView | null {
  if (!isObj(v) || !isStr(v.title) || !isStr(v.text)) return null;
  if (v.kind === "freeSample") return { kind: "freeSample", title: v.title, text: v.text };
  if (
    v.kind === "discount" &&
    isStr(v.code) &&
    isStr(v.expiresAt) &&
    isStr(v.valueText) &&
    strOrNull(v.minimumSubtotal) &&
    strOrNull(v.conditionText)
  ) {
    return {
      kind: "discount",
      title: v.title,
      text: v.text,
      code: v.code,
      expiresAt: v.expiresAt,
      valueText: v.valueText,
      minimumSubtotal: v.minimumSubtotal,
      conditionText: v.conditionText,
    };
  }
  return null;
}

function progress(v: unknown): PostPurchaseView["progress"] | undefined {
  if (v === null) return null;
  if (!isObj(v) || !isStr(v.text) || !intOrNull(v.ordersToNext) || !strOrNull(v.amountToNext)) return undefined;
  const nextRank = rankRef(v.nextRank);
  if (nextRank === undefined) return undefined;
  return { text: v.text, nextRank, ordersToNext: v.ordersToNext, amountToNext: v.amountToNext };
}

/**
 * Parse, don't trust: the body crossed the network. A malformed view is null (show nothing); a
 * reward of a kind this build does not know is dropped, so a newer server never blanks the block.
 */
export function parsePostPurchaseView(body: unknown): PostPurchaseView | null {
  if (!isObj(body) || !isStr(body.message) || !Array.isArray(body.rewards)) return null;
  const rank = rankRef(body.rank);
  const prog = progress(body.progress);
  if (rank === undefined || prog === undefined) return null;
  const rewards = body.rewards.map(reward).filter((r): r is RewardView => r !== null);
  const survey = parseSurveyOffer(body.survey);
  return { rank, message: body.message, progress: prog, rewards, ...(survey ? { survey } : {}) };
}
