/**
 * The post-purchase survey on the thank-you page: what the server offers (field `survey` of the
 * post-purchase view; a copy of SurveyOffer in app/domain/survey.ts — tests/extensions checks the
 * two stay the same) and sending the shopper's answer to POST /api/survey-answer.
 */
export interface SurveyOffer {
  questionKey: string;
  question: string;
  choices: { key: string; label: string }[];
  freeText: boolean;
}

/** The server takes at most this many characters of free text (after trimming). */
export const MAX_FREE_TEXT_LENGTH = 500;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";

/** Parse, don't trust: a malformed survey is undefined (not shown); the rest of the view still is. */
export function parseSurveyOffer(v: unknown): SurveyOffer | undefined {
  if (!isObj(v) || !isStr(v.questionKey) || !isStr(v.question) || v.question.trim() === "" || typeof v.freeText !== "boolean" || !Array.isArray(v.choices)) return undefined;
  const choices = v.choices.filter((c): c is { key: string; label: string } => isObj(c) && isStr(c.key) && isStr(c.label)).map((c) => ({ key: c.key, label: c.label }));
  if (choices.length === 0 && !v.freeText) return undefined;
  return { questionKey: v.questionKey, question: v.question, choices, freeText: v.freeText };
}

/** `…/api/post-purchase` → `…/api/survey-answer` (same origin and prefix). */
export function surveyAnswerEndpoint(postPurchaseEndpoint: string): string {
  return postPurchaseEndpoint.replace(/\/api\/post-purchase$/, "/api/survey-answer");
}

/** Code points, as the server counts them. */
export const textLength = (s: string) => [...s].length;

export interface SurveyAnswerRequest {
  /** The thank-you page's OrderIdentity GID. */
  orderId: string;
  choiceKey: string | null;
  freeText: string | null;
}

/**
 * "saved" when the server stored the answer, or already holds one for this order (409: answered
 * in another tab — thanking the shopper again is right); "failed" for anything else. Never throws.
 */
export async function sendSurveyAnswer(
  endpoint: string,
  answer: SurveyAnswerRequest,
  deps: { fetch: typeof fetch; getToken: () => Promise<string>; warn?: (message: string, detail?: unknown) => void },
): Promise<"saved" | "failed"> {
  const warn = deps.warn ?? (() => {});
  try {
    const token = await deps.getToken();
    const response = await deps.fetch(endpoint, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(answer),
    });
    if (response.status === 200 || response.status === 409) return "saved";
    warn(`Tokui: survey answer refused (${response.status})`);
    return "failed";
  } catch (error) {
    warn("Tokui: survey answer could not be sent", error);
    return "failed";
  }
}
