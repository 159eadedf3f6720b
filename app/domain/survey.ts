/**
 * The post-purchase survey (one question on the thank-you page): the merchant's settings, their
 * validation, what a shopper is offered, how an answer is checked, and the tally for the
 * dashboard. Pure and browser-safe (the settings page runs the validation and the preview).
 *
 * Choice keys are stable: an answer stores the key, never the label, so a renamed choice keeps
 * its answers. A removed choice stays in the settings marked `removed` (no longer offered or
 * accepted, still labelled on the dashboard), and its key is never handed out again.
 */
import type { FieldErrors } from "./form-input";
import type { Localized } from "./messages";
import type { PostPurchaseView } from "./post-purchase";

export type SurveyLocale = "ja" | "en";

export interface SurveyChoice {
  key: string;
  label: Localized;
  /** Taken off the survey: kept so earlier answers still have a label. */
  removed?: true;
}

export interface SurveySettings {
  enabled: boolean;
  /** Stored with every answer, so answers to another question are never counted together. */
  questionKey: string;
  question: Localized;
  choices: SurveyChoice[];
  /** Whether the shopper may also type an answer of their own. */
  freeText: boolean;
}

/** What the thank-you page is offered (body of POST /api/post-purchase, field `survey`), in the shopper's language. */
export interface SurveyOffer {
  questionKey: string;
  question: string;
  choices: { key: string; label: string }[];
  freeText: boolean;
}

/** The thank-you page's 200 body: the view, plus the survey when one is offered for this order. */
export type PostPurchaseBody = PostPurchaseView & { survey?: SurveyOffer };

export const MAX_SURVEY_CHOICES = 10;
export const MAX_SURVEY_QUESTION_LENGTH = 200;
export const MAX_SURVEY_CHOICE_LENGTH = 80;
export const MAX_SURVEY_FREE_TEXT_LENGTH = 500;
/** Removed choices kept for their labels; the oldest go beyond this (their answers show the key). */
const MAX_REMOVED_CHOICES = 40;
const CHOICE_KEY = /^[a-z0-9_-]{1,32}$/;
export const DEFAULT_QUESTION_KEY = "heard-from";

/** Code points, as the shopper and the merchant count characters (not UTF-16 units). */
export const textLength = (s: string) => [...s].length;

export function defaultSurvey(): SurveySettings {
  return {
    enabled: false,
    questionKey: DEFAULT_QUESTION_KEY,
    question: { ja: "当店を何で知りましたか？", en: "How did you hear about us?" },
    choices: [
      { key: "search", label: { ja: "検索エンジン（Google・Yahoo!など）", en: "Search engine (Google, Yahoo! …)" } },
      { key: "instagram", label: { ja: "Instagram", en: "Instagram" } },
      { key: "x", label: { ja: "X（旧Twitter）", en: "X (Twitter)" } },
      { key: "friend", label: { ja: "家族・知人の紹介", en: "A friend or family member" } },
      { key: "ad", label: { ja: "広告", en: "An ad" } },
      { key: "marketplace", label: { ja: "楽天市場・Amazonなどのモール", en: "A marketplace (Rakuten, Amazon …)" } },
    ],
    freeText: true,
  };
}

/** A label in the shopper's language, or the other language when the merchant wrote only one. */
export function localizedText(text: Localized, locale: SurveyLocale): string {
  const own = text[locale].trim();
  return own !== "" ? own : text[locale === "ja" ? "en" : "ja"].trim();
}

export const activeChoices = (settings: SurveySettings) => settings.choices.filter((c) => !c.removed);

/** The survey for one shopper, or null when it is off or has nothing to ask. */
export function surveyOffer(settings: SurveySettings | null, locale: SurveyLocale): SurveyOffer | null {
  if (!settings?.enabled) return null;
  const question = localizedText(settings.question, locale);
  const choices = activeChoices(settings).map((c) => ({ key: c.key, label: localizedText(c.label, locale) }));
  if (question === "" || (choices.length === 0 && !settings.freeText)) return null;
  return { questionKey: settings.questionKey, question, choices, freeText: settings.freeText };
}

// ---- Stored form (Shop.survey, JSON text) ----

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : "");
const localized = (v: unknown): Localized => (isObj(v) ? { ja: str(v.ja), en: str(v.en) } : { ja: "", en: "" });

/** Shop.survey → settings; null (never set up) and anything unreadable → null, i.e. off. */
export function surveyFromJson(text: string | null | undefined): SurveySettings | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(raw) || !Array.isArray(raw.choices)) return null;
  const choices: SurveyChoice[] = [];
  for (const c of raw.choices) {
    if (!isObj(c) || typeof c.key !== "string" || !CHOICE_KEY.test(c.key) || choices.some((x) => x.key === c.key)) continue;
    choices.push({ key: c.key, label: localized(c.label), ...(c.removed === true ? { removed: true as const } : {}) });
  }
  return {
    enabled: raw.enabled === true,
    questionKey: typeof raw.questionKey === "string" && raw.questionKey !== "" ? raw.questionKey : DEFAULT_QUESTION_KEY,
    question: localized(raw.question),
    choices,
    freeText: raw.freeText === true,
  };
}

export function surveyToJson(settings: SurveySettings): string {
  return JSON.stringify(settings);
}

/** The settings page's starting point: what is stored, else the defaults (switched off). */
export const surveyForEditing = (stored: SurveySettings | null): SurveySettings => stored ?? defaultSurvey();

// ---- The settings form ----

/** What the settings page submits: choices in order, each with its key, or null for a new one. */
export interface SurveyForm {
  enabled: boolean;
  question: Localized;
  freeText: boolean;
  choices: { key: string | null; label: Localized }[];
}

export type SurveyValidation = { ok: true; settings: SurveySettings } | { ok: false; errors: FieldErrors };

const msg = (en: string, ja: string): Localized => ({ en, ja });

/** The next key for a new choice: c1, c2, … past every key ever used in these settings. */
function nextChoiceNumber(keys: string[]): number {
  let max = 0;
  for (const key of keys) {
    const n = /^c(\d+)$/.exec(key);
    if (n) max = Math.max(max, Number(n[1]));
  }
  return max + 1;
}

function checkText(errors: FieldErrors, field: string, text: Localized, max: number, required: boolean, what: Localized) {
  for (const lang of ["ja", "en"] as const) {
    if (textLength(text[lang].trim()) > max) {
      errors[`${field}.${lang}`] = msg(`At most ${max} characters.`, `${max}文字以内で入力してください。`);
    }
  }
  if (required && text.ja.trim() === "" && text.en.trim() === "") {
    errors[`${field}.ja`] ??= msg(`Enter the ${what.en} in Japanese or English.`, `${what.ja}を日本語か英語で入力してください。`);
  }
}

/**
 * Check what the merchant submitted against what is stored, and build the settings to save.
 * Errors are keyed by field path ("question.ja", "choices[2].label.en", "choices") in both
 * languages. Texts are trimmed; a text written in one language only is shown in both.
 */
export function validateSurvey(form: SurveyForm, stored: SurveySettings | null): SurveyValidation {
  const previous = surveyForEditing(stored);
  const errors: FieldErrors = {};
  const trimmed = (t: Localized): Localized => ({ ja: t.ja.trim(), en: t.en.trim() });

  checkText(errors, "question", form.question, MAX_SURVEY_QUESTION_LENGTH, form.enabled, msg("question", "質問"));
  if (form.choices.length > MAX_SURVEY_CHOICES) {
    errors.choices = msg(`At most ${MAX_SURVEY_CHOICES} choices.`, `選択肢は${MAX_SURVEY_CHOICES}個までです。`);
  }
  if (form.enabled && form.choices.length === 0 && !form.freeText) {
    errors.choices = msg("Add a choice or offer a free-text answer.", "選択肢を追加するか、自由記述欄を表示してください。");
  }

  const known = new Set(previous.choices.map((c) => c.key));
  const seenKeys = new Set<string>();
  const seenLabels = { ja: new Map<string, number>(), en: new Map<string, number>() };
  form.choices.forEach((choice, i) => {
    const field = `choices[${i}]`;
    if (choice.key !== null) {
      // Keys come from the stored settings; anything else did not come from the page.
      if (!known.has(choice.key) || seenKeys.has(choice.key)) errors[`${field}.key`] = msg("Unknown or repeated choice.", "不明な選択肢、または重複した選択肢です。");
      seenKeys.add(choice.key);
    }
    checkText(errors, `${field}.label`, choice.label, MAX_SURVEY_CHOICE_LENGTH, true, msg("choice", "選択肢"));
    for (const lang of ["ja", "en"] as const) {
      const shown = localizedText(choice.label, lang);
      if (shown === "") continue;
      const earlier = seenLabels[lang].get(shown);
      if (earlier !== undefined) {
        errors[`${field}.label.${lang}`] ??= msg(`Same as choice ${earlier + 1}.`, `選択肢${earlier + 1}と同じです。`);
      } else seenLabels[lang].set(shown, i);
    }
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  let next = nextChoiceNumber(previous.choices.map((c) => c.key));
  const choices: SurveyChoice[] = form.choices.map((c) => ({ key: c.key ?? `c${next++}`, label: trimmed(c.label) }));
  const removed = previous.choices
    .filter((c) => !seenKeys.has(c.key))
    .map((c): SurveyChoice => ({ key: c.key, label: c.label, removed: true }))
    .slice(-MAX_REMOVED_CHOICES);
  return {
    ok: true,
    settings: {
      enabled: form.enabled,
      questionKey: previous.questionKey,
      question: trimmed(form.question),
      choices: [...choices, ...removed],
      freeText: form.freeText,
    },
  };
}

// ---- A shopper's answer ----

export interface SurveyAnswer {
  choiceKey: string | null;
  /** Trimmed, as the shopper typed it otherwise (rendered as text wherever it is shown). */
  freeText: string | null;
}

export type AnswerCheck = { ok: true; answer: SurveyAnswer } | { ok: false; reason: string };

/** An answer against the current settings. Reasons are for the log and the 400 body, not for shoppers. */
export function checkSurveyAnswer(settings: SurveySettings | null, input: { choiceKey?: string | null; freeText?: string | null }): AnswerCheck {
  if (!settings?.enabled) return { ok: false, reason: "the survey is off" };
  const choiceKey = input.choiceKey ?? null;
  const freeText = input.freeText?.trim() ? input.freeText.trim() : null;
  if (choiceKey !== null && !activeChoices(settings).some((c) => c.key === choiceKey)) {
    return { ok: false, reason: `no choice "${choiceKey}" in this survey` };
  }
  if (freeText !== null && !settings.freeText) return { ok: false, reason: "this survey takes no free text" };
  if (freeText !== null && textLength(freeText) > MAX_SURVEY_FREE_TEXT_LENGTH) {
    return { ok: false, reason: `free text longer than ${MAX_SURVEY_FREE_TEXT_LENGTH} characters` };
  }
  if (choiceKey === null && freeText === null) return { ok: false, reason: "the answer is empty" };
  return { ok: true, answer: { choiceKey, freeText } };
}

export const sameAnswer = (a: SurveyAnswer, b: SurveyAnswer) => a.choiceKey === b.choiceKey && a.freeText === b.freeText;

// ---- Dashboard tally ----

export interface SurveyTallyRow {
  /** null: answers with free text only. */
  key: string | null;
  label: string;
  count: number;
  /** Whole percent of all answers (rounded), for the bar; 0 when there are none. */
  percent: number;
  removed: boolean;
}

/**
 * Counts per choice in the settings' order (choices nobody picked included, removed choices
 * only when they were picked), then free-text-only answers. Keys the settings no longer know
 * are shown by their key.
 */
export function tallySurvey(
  settings: SurveySettings,
  counts: readonly { choiceKey: string | null; count: number }[],
  locale: SurveyLocale,
  freeTextOnlyLabel: string,
): { total: number; rows: SurveyTallyRow[] } {
  const byKey = new Map<string | null, number>();
  for (const c of counts) byKey.set(c.choiceKey, (byKey.get(c.choiceKey) ?? 0) + c.count);
  const total = [...byKey.values()].reduce((a, b) => a + b, 0);
  const percent = (n: number) => (total === 0 ? 0 : Math.round((n * 100) / total));
  const rows: SurveyTallyRow[] = [];
  for (const c of settings.choices) {
    const count = byKey.get(c.key) ?? 0;
    byKey.delete(c.key);
    if (c.removed && count === 0) continue;
    rows.push({ key: c.key, label: localizedText(c.label, locale) || c.key, count, percent: percent(count), removed: c.removed === true });
  }
  const unknown = [...byKey.entries()].filter(([key]) => key !== null).sort(([a], [b]) => String(a).localeCompare(String(b)));
  for (const [key, count] of unknown) rows.push({ key, label: String(key), count, percent: percent(count), removed: true });
  const freeOnly = byKey.get(null) ?? 0;
  if (freeOnly > 0) rows.push({ key: null, label: freeTextOnlyLabel, count: freeOnly, percent: percent(freeOnly), removed: false });
  return { total, rows };
}
