import { describe, expect, it } from "vitest";
import {
  checkSurveyAnswer,
  defaultSurvey,
  MAX_SURVEY_FREE_TEXT_LENGTH,
  surveyFromJson,
  surveyOffer,
  surveyToJson,
  tallySurvey,
  validateSurvey,
  type SurveyForm,
  type SurveySettings,
} from "~/domain/survey";

const stored = (over: Partial<SurveySettings> = {}): SurveySettings => ({
  enabled: true,
  questionKey: "heard-from",
  question: { ja: "当店を何で知りましたか？", en: "How did you hear about us?" },
  choices: [
    { key: "search", label: { ja: "検索", en: "Search" } },
    { key: "c7", label: { ja: "雑誌", en: "" } },
    { key: "tv", label: { ja: "テレビ", en: "TV" }, removed: true },
  ],
  freeText: true,
  ...over,
});

/** The form as the page submits the stored settings unchanged. */
const formOf = (s: SurveySettings): SurveyForm => ({
  enabled: s.enabled,
  question: s.question,
  freeText: s.freeText,
  choices: s.choices.filter((c) => !c.removed).map((c) => ({ key: c.key, label: c.label })),
});

describe("validateSurvey", () => {
  it("keeps a choice's key when only its label changes, and keeps removed choices for their answers", () => {
    const form = formOf(stored());
    form.choices[0] = { key: "search", label: { ja: " Google検索 ", en: "Google" } };
    const result = validateSurvey(form, stored());
    expect(result).toEqual({
      ok: true,
      settings: {
        ...stored(),
        choices: [
          { key: "search", label: { ja: "Google検索", en: "Google" } },
          { key: "c7", label: { ja: "雑誌", en: "" } },
          { key: "tv", label: { ja: "テレビ", en: "TV" }, removed: true },
        ],
      },
    });
  });

  it("gives new choices keys never used before (past removed ones), and marks dropped choices removed", () => {
    const form = formOf(stored());
    form.choices = [{ key: null, label: { ja: "ラジオ", en: "Radio" } }, form.choices[1]!, { key: null, label: { ja: "チラシ", en: "" } }];
    const result = validateSurvey(form, stored());
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.settings.choices.map((c) => [c.key, c.removed ?? false])).toEqual([
      ["c8", false],
      ["c7", false],
      ["c9", false],
      ["search", true],
      ["tv", true],
    ]);
  });

  it("puts a removed choice back when the page sends its key again", () => {
    const form = formOf(stored());
    form.choices.push({ key: "tv", label: { ja: "テレビ番組", en: "TV" } });
    const result = validateSurvey(form, stored());
    if (!result.ok) throw new Error("expected ok");
    expect(result.settings.choices.find((c) => c.key === "tv")).toEqual({ key: "tv", label: { ja: "テレビ番組", en: "TV" } });
  });

  it("starts from the defaults when nothing is stored yet", () => {
    const result = validateSurvey({ ...formOf(defaultSurvey()), enabled: true }, null);
    expect(result.ok && result.settings.enabled).toBe(true);
    expect(result.ok && result.settings.questionKey).toBe("heard-from");
  });

  const long = (n: number) => "あ".repeat(n);
  it.each<[string, (f: SurveyForm) => void, string, string, string]>([
    ["a blank question when on", (f) => (f.question = { ja: " ", en: "" }), "question.ja", "Enter the question in Japanese or English.", "質問を日本語か英語で入力してください。"],
    ["a question of 201 characters", (f) => (f.question.en = "a".repeat(201)), "question.en", "At most 200 characters.", "200文字以内で入力してください。"],
    ["a choice of 81 characters (counted in characters, not bytes)", (f) => (f.choices[0]!.label.ja = long(81)), "choices[0].label.ja", "At most 80 characters.", "80文字以内で入力してください。"],
    ["a blank choice", (f) => (f.choices[1]!.label = { ja: "", en: "  " }), "choices[1].label.ja", "Enter the choice in Japanese or English.", "選択肢を日本語か英語で入力してください。"],
    ["11 choices", (f) => (f.choices = Array.from({ length: 11 }, (_, i) => ({ key: null, label: { ja: `選択肢${i}`, en: "" } }))), "choices", "At most 10 choices.", "選択肢は10個までです。"],
    ["no choice and no free text when on", (f) => ((f.choices = []), (f.freeText = false)), "choices", "Add a choice or offer a free-text answer.", "選択肢を追加するか、自由記述欄を表示してください。"],
    ["two choices that read the same", (f) => (f.choices[1]!.label = { ja: "検索", en: "Web" }), "choices[1].label.ja", "Same as choice 1.", "選択肢1と同じです。"],
    ["a key the settings never had", (f) => (f.choices[0]!.key = "forged"), "choices[0].key", "Unknown or repeated choice.", "不明な選択肢、または重複した選択肢です。"],
    ["one key twice", (f) => (f.choices[1]!.key = "search"), "choices[1].key", "Unknown or repeated choice.", "不明な選択肢、または重複した選択肢です。"],
  ])("refuses %s, with the message in both languages", (_, change, field, en, ja) => {
    const form = structuredClone(formOf(stored()));
    change(form);
    const result = validateSurvey(form, stored());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[field]).toEqual({ en, ja });
  });

  it("accepts exactly 10 choices, 200 and 80 characters, and a blank question while off", () => {
    const form: SurveyForm = {
      enabled: false,
      question: { ja: "", en: "" },
      freeText: false,
      choices: Array.from({ length: 10 }, (_, i) => ({ key: null, label: { ja: `${i}${long(79)}`, en: "" } })),
    };
    expect(validateSurvey(form, stored()).ok).toBe(true);
    expect(validateSurvey({ ...form, enabled: true, question: { ja: long(200), en: "" } }, stored()).ok).toBe(true);
  });
});

describe("surveyOffer", () => {
  it("offers the active choices in the shopper's language, falling back to the other language", () => {
    expect(surveyOffer(stored(), "en")).toEqual({
      questionKey: "heard-from",
      question: "How did you hear about us?",
      choices: [
        { key: "search", label: "Search" },
        { key: "c7", label: "雑誌" },
      ],
      freeText: true,
    });
    expect(surveyOffer(stored(), "ja")?.choices.map((c) => c.label)).toEqual(["検索", "雑誌"]);
  });

  it.each<[string, SurveySettings | null]>([
    ["never set up", null],
    ["switched off", stored({ enabled: false })],
    ["nothing to answer with", stored({ choices: [], freeText: false })],
  ])("offers nothing when %s", (_, settings) => expect(surveyOffer(settings, "ja")).toBeNull());
});

describe("checkSurveyAnswer", () => {
  it.each<[string, { choiceKey?: string | null; freeText?: string | null }, { choiceKey: string | null; freeText: string | null }]>([
    ["a choice", { choiceKey: "search" }, { choiceKey: "search", freeText: null }],
    ["a choice with text, trimmed but otherwise as typed", { choiceKey: "c7", freeText: "  <b>雑誌『暮らし』</b>で\n見ました  " }, { choiceKey: "c7", freeText: "<b>雑誌『暮らし』</b>で\n見ました" }],
    ["text only", { freeText: "Podcast" }, { choiceKey: null, freeText: "Podcast" }],
    ["a choice with blank text", { choiceKey: "search", freeText: "   " }, { choiceKey: "search", freeText: null }],
    ["500 characters of text", { freeText: "あ".repeat(MAX_SURVEY_FREE_TEXT_LENGTH) }, { choiceKey: null, freeText: "あ".repeat(500) }],
  ])("accepts %s", (_, input, answer) => expect(checkSurveyAnswer(stored(), input)).toEqual({ ok: true, answer }));

  it.each<[string, SurveySettings | null, { choiceKey?: string | null; freeText?: string | null }]>([
    ["a removed choice", stored(), { choiceKey: "tv" }],
    ["an unknown choice", stored(), { choiceKey: "nope" }],
    ["501 characters", stored(), { freeText: "あ".repeat(501) }],
    ["text when none is offered", stored({ freeText: false }), { choiceKey: "search", freeText: "hi" }],
    ["an empty answer", stored(), { choiceKey: null, freeText: " " }],
    ["any answer while the survey is off", stored({ enabled: false }), { choiceKey: "search" }],
    ["any answer to a shop without a survey", null, { choiceKey: "search" }],
  ])("refuses %s", (_, settings, input) => expect(checkSurveyAnswer(settings, input).ok).toBe(false));
});

describe("surveyFromJson", () => {
  it("reads back what surveyToJson wrote", () => expect(surveyFromJson(surveyToJson(stored()))).toEqual(stored()));
  it.each([null, "", "not json", "[]", '{"enabled":true}'])("treats %j as no survey", (text) => expect(surveyFromJson(text)).toBeNull());
  it("drops choices with a bad or repeated key", () => {
    const text = JSON.stringify({ ...stored(), choices: [{ key: "ok", label: { ja: "a" } }, { key: "Bad Key", label: {} }, { key: "ok", label: {} }] });
    expect(surveyFromJson(text)?.choices).toEqual([{ key: "ok", label: { ja: "a", en: "" } }]);
  });
});

describe("tallySurvey", () => {
  it("counts per choice in the settings' order with percentages, removed choices only when picked, unknown keys and text-only last", () => {
    const counts = [
      { choiceKey: "c7", count: 3 },
      { choiceKey: null, count: 1 },
      { choiceKey: "search", count: 2 },
      { choiceKey: "gone", count: 1 },
      { choiceKey: "tv", count: 1 },
    ];
    expect(tallySurvey(stored(), counts, "en", "Own words only")).toEqual({
      total: 8,
      rows: [
        { key: "search", label: "Search", count: 2, percent: 25, removed: false },
        { key: "c7", label: "雑誌", count: 3, percent: 38, removed: false },
        { key: "tv", label: "TV", count: 1, percent: 13, removed: true },
        { key: "gone", label: "gone", count: 1, percent: 13, removed: true },
        { key: null, label: "Own words only", count: 1, percent: 13, removed: false },
      ],
    });
  });

  it("lists every active choice at zero when nobody answered", () => {
    expect(tallySurvey(stored(), [], "ja", "自由記述のみ")).toEqual({
      total: 0,
      rows: [
        { key: "search", label: "検索", count: 0, percent: 0, removed: false },
        { key: "c7", label: "雑誌", count: 0, percent: 0, removed: false },
      ],
    });
  });
});
