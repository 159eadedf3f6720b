/** @jsxImportSource preact */
// The pragma keeps Preact's JSX when the root tsconfig (React) checks this file.
import { useState } from "preact/hooks";
import { MAX_FREE_TEXT_LENGTH, sendSurveyAnswer, textLength, type SurveyOffer } from "./survey";

/** Keys the thank-you extension's locales/*.json must define for the survey (tests/extensions checks them). */
export const SURVEY_MESSAGE_KEYS = ["survey.label", "survey.freeTextLabel", "survey.submit", "survey.thanks", "survey.failed", "survey.tooLong"] as const;
export type SurveyMessageKey = (typeof SURVEY_MESSAGE_KEYS)[number];

export interface SurveyBlockProps {
  offer: SurveyOffer;
  /** The thank-you page's OrderIdentity GID. */
  orderId: string;
  /** POST /api/survey-answer. */
  endpoint: string;
  getToken: () => Promise<string>;
  translate: (key: SurveyMessageKey, replacements?: Record<string, string>) => string;
}

type Status = "answering" | "sending" | "failed" | "thanks";

const warn = (message: string, detail?: unknown) => (detail === undefined ? console.warn(message) : console.warn(message, detail));

/** One question, its choices, optional free text and a send button; a thank-you line once sent. */
export function SurveyBlock({ offer, orderId, endpoint, getToken, translate: t }: SurveyBlockProps) {
  const [choice, setChoice] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [status, setStatus] = useState<Status>("answering");

  if (status === "thanks") {
    return (
      <s-section accessibilityLabel={t("survey.label")}>
        <s-paragraph>{t("survey.thanks")}</s-paragraph>
      </s-section>
    );
  }

  const trimmed = text.trim();
  const tooLong = textLength(trimmed) > MAX_FREE_TEXT_LENGTH;
  const empty = choice === null && trimmed === "";
  const submit = async () => {
    if (empty || tooLong || status === "sending") return;
    setStatus("sending");
    const outcome = await sendSurveyAnswer(endpoint, { orderId, choiceKey: choice, freeText: offer.freeText && trimmed !== "" ? trimmed : null }, { fetch: (input, init) => fetch(input, init), getToken, warn });
    setStatus(outcome === "saved" ? "thanks" : "failed");
  };

  return (
    <s-section accessibilityLabel={t("survey.label")}>
      <s-stack gap="base">
        <s-heading>{offer.question}</s-heading>
        {offer.choices.length > 0 && (
          <s-choice-list
            name="tokui-survey"
            label={offer.question}
            labelAccessibilityVisibility="exclusive"
            values={choice === null ? [] : [choice]}
            onChange={(event) => {
              const values = (event.currentTarget as unknown as { values?: unknown }).values;
              setChoice(Array.isArray(values) && typeof values[0] === "string" ? values[0] : null);
            }}
          >
            {offer.choices.map((c) => (
              <s-choice key={c.key} value={c.key} selected={c.key === choice}>
                {c.label}
              </s-choice>
            ))}
          </s-choice-list>
        )}
        {offer.freeText && (
          <s-text-area
            label={offer.choices.length > 0 ? t("survey.freeTextLabel") : offer.question}
            rows={2}
            value={text}
            error={tooLong ? t("survey.tooLong", { max: String(MAX_FREE_TEXT_LENGTH) }) : undefined}
            onInput={(event) => setText(String((event.currentTarget as unknown as { value?: unknown }).value ?? ""))}
          />
        )}
        <s-stack direction="inline">
          <s-button variant="secondary" loading={status === "sending"} disabled={empty || tooLong} onClick={() => void submit()}>
            {t("survey.submit")}
          </s-button>
        </s-stack>
        {status === "failed" && <s-text color="subdued">{t("survey.failed")}</s-text>}
      </s-stack>
    </s-section>
  );
}
