import { useMemo, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, InlineGrid, InlineStack, Layout, Page, RadioButton, Text, TextField } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { useAfterSave } from "../components/use-after-save";
import { appContext } from "../context.server";
import type { FieldErrors } from "../domain/form-input";
import type { Localized } from "../domain/messages";
import {
  MAX_SURVEY_CHOICE_LENGTH,
  MAX_SURVEY_CHOICES,
  MAX_SURVEY_QUESTION_LENGTH,
  surveyOffer,
  textLength,
  validateSurvey,
  type SurveyForm,
  type SurveySettings,
} from "../domain/survey";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { saveSurveySettings, surveySettingsForEditing } from "../services/survey.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const { settings, stored } = await surveySettingsForEditing(db.prisma, session.shop);
  const answers = await db.prisma.surveyResponse.count({ where: { shop: session.shop } });
  return json({ locale: localeFromRequest(request), settings, stored, answers });
};

// Generous bounds: the domain checks the real limits and words the errors.
const text = z.string().max(2_000);
const localized = z.object({ ja: text, en: text });
const body = z.object({
  intent: z.literal("save"),
  survey: z.object({
    enabled: z.boolean(),
    question: localized,
    freeText: z.boolean(),
    choices: z.array(z.object({ key: z.string().max(64).nullable(), label: localized })).max(50),
  }),
});

type ActionData = { ok: true } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const input = await readJsonBody(request, body);
  const result = await saveSurveySettings(db.prisma, session.shop, input.survey);
  return json<ActionData>(result.ok ? { ok: true } : { ok: false, errors: result.errors }, { status: result.ok ? 200 : 422 });
};

/** A row of the editor: `id` only keeps React's rows apart (new choices have no key yet). */
type EditedChoice = { id: string; key: string | null; label: Localized };

function formFrom(settings: SurveySettings): { form: Omit<SurveyForm, "choices">; choices: EditedChoice[] } {
  return {
    form: { enabled: settings.enabled, question: settings.question, freeText: settings.freeText },
    choices: settings.choices.filter((c) => !c.removed).map((c) => ({ id: c.key, key: c.key, label: c.label })),
  };
}

const LANGS = ["ja", "en"] as const;
let newRows = 0;

export default function SurveyPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const { locale } = data;
  const initial = useMemo(() => formFrom(data.settings), [data.settings]);
  const [form, setForm] = useState(initial.form);
  const [choices, setChoices] = useState<EditedChoice[]>(initial.choices);
  const saving = navigation.state !== "idle" && navigation.formMethod === "POST";

  // The editor shows what was saved (new choices with the keys the server gave them), once the
  // page's data has been reloaded: resetting from the data before that would lose the keys.
  useAfterSave(actionData, () => {
    setForm(initial.form);
    setChoices(initial.choices);
    shopify.toast.show(t(locale, "survey.saved"));
  });

  const survey: SurveyForm = { ...form, choices: choices.map(({ key, label }) => ({ key, label })) };
  const dirty = !data.stored || JSON.stringify(survey) !== JSON.stringify({ ...initial.form, choices: initial.choices.map(({ key, label }) => ({ key, label })) });
  // The same checks the server makes, as the merchant types; the server's answer wins if it differs.
  const checked = validateSurvey(survey, data.settings);
  const errors: FieldErrors = { ...(checked.ok ? {} : checked.errors), ...(actionData && !actionData.ok ? actionData.errors : {}) };
  const invalid = !checked.ok;

  const save = () => submit({ intent: "save", survey: { ...survey } }, { method: "post", encType: "application/json" });
  const discard = () => {
    setForm(initial.form);
    setChoices(initial.choices);
  };
  const setChoice = (i: number, lang: Locale, value: string) =>
    setChoices((all) => all.map((c, j) => (j === i ? { ...c, label: { ...c.label, [lang]: value } } : c)));
  const move = (i: number, by: number) =>
    setChoices((all) => {
      const next = [...all];
      const [row] = next.splice(i, 1);
      next.splice(i + by, 0, row!);
      return next;
    });

  return (
    <Page
      primaryAction={{ content: t(locale, "common.save"), onAction: save, loading: saving, disabled: !dirty || saving || invalid }}
      secondaryActions={dirty && data.stored ? [{ content: t(locale, "common.discard"), onAction: discard }] : []}
    >
      <TitleBar title={t(locale, "survey.title")} />
      <SaveBar id="survey-save-bar" open={dirty && data.stored}>
        <button variant="primary" onClick={save} disabled={saving || invalid}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        {actionData && !actionData.ok ? (
          <Layout.Section>
            <Banner tone="critical" title={t(locale, "common.fixErrors")} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="p">{t(locale, "survey.intro")}</Text>
                <Checkbox
                  label={t(locale, "survey.enabled")}
                  helpText={t(locale, "survey.enabled.help")}
                  checked={form.enabled}
                  onChange={(enabled) => setForm((f) => ({ ...f, enabled }))}
                />
                <Text as="p" tone="subdued">
                  {t(locale, "survey.answers", { count: data.answers })}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t(locale, "survey.question")}
                </Text>
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                  {LANGS.map((lang) => (
                    <TextField
                      key={lang}
                      label={t(locale, `survey.lang.${lang}`)}
                      autoComplete="off"
                      value={form.question[lang]}
                      onChange={(value) => setForm((f) => ({ ...f, question: { ...f.question, [lang]: value } }))}
                      helpText={`${textLength(form.question[lang].trim())} / ${MAX_SURVEY_QUESTION_LENGTH}`}
                      error={errorFor(errors, `question.${lang}`, locale)}
                    />
                  ))}
                </InlineGrid>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t(locale, "survey.textHelp")}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t(locale, "survey.choices")}
                </Text>
                <Text as="p" tone="subdued">
                  {t(locale, "survey.choices.help", { max: MAX_SURVEY_CHOICES })}
                </Text>
                {errorFor(errors, "choices", locale) ? (
                  <Text as="p" tone="critical">
                    {errorFor(errors, "choices", locale)}
                  </Text>
                ) : null}
                {choices.map((choice, i) => (
                  <Box key={choice.id} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
                    <BlockStack gap="200">
                      <InlineStack align="space-between" blockAlign="center">
                        <InlineStack gap="200" blockAlign="center">
                          <Text as="h3" variant="headingSm">
                            {t(locale, "survey.choice", { n: i + 1 })}
                          </Text>
                          <Badge tone={choice.key ? undefined : "info"}>{choice.key ?? t(locale, "survey.choice.new")}</Badge>
                        </InlineStack>
                        <InlineStack gap="200">
                          <Button variant="plain" disabled={i === 0} onClick={() => move(i, -1)}>
                            {t(locale, "survey.moveUp")}
                          </Button>
                          <Button variant="plain" disabled={i === choices.length - 1} onClick={() => move(i, 1)}>
                            {t(locale, "survey.moveDown")}
                          </Button>
                          <Button variant="plain" tone="critical" onClick={() => setChoices((all) => all.filter((_, j) => j !== i))}>
                            {t(locale, "common.remove")}
                          </Button>
                        </InlineStack>
                      </InlineStack>
                      {errorFor(errors, `choices[${i}].key`, locale) ? (
                        <Text as="p" tone="critical">
                          {errorFor(errors, `choices[${i}].key`, locale)}
                        </Text>
                      ) : null}
                      <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                        {LANGS.map((lang) => (
                          <TextField
                            key={lang}
                            label={t(locale, `survey.lang.${lang}`)}
                            autoComplete="off"
                            value={choice.label[lang]}
                            onChange={(value) => setChoice(i, lang, value)}
                            helpText={`${textLength(choice.label[lang].trim())} / ${MAX_SURVEY_CHOICE_LENGTH}`}
                            error={errorFor(errors, `choices[${i}].label.${lang}`, locale)}
                          />
                        ))}
                      </InlineGrid>
                    </BlockStack>
                  </Box>
                ))}
                <InlineStack>
                  <Button
                    disabled={choices.length >= MAX_SURVEY_CHOICES}
                    onClick={() => setChoices((all) => [...all, { id: `new-${++newRows}`, key: null, label: { ja: "", en: "" } }])}
                  >
                    {t(locale, "survey.addChoice")}
                  </Button>
                </InlineStack>
                <Checkbox
                  label={t(locale, "survey.freeText")}
                  helpText={t(locale, "survey.freeText.help")}
                  checked={form.freeText}
                  onChange={(freeText) => setForm((f) => ({ ...f, freeText }))}
                />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {LANGS.map((lang) => (
              <Preview key={lang} locale={locale} lang={lang} survey={survey} />
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/**
 * What a shopper reading `lang` would be offered, from the same domain function the server
 * answers with (surveyOffer): fallback texts, removed and empty parts included.
 */
function Preview({ locale, lang, survey }: { locale: Locale; lang: Locale; survey: SurveyForm }) {
  const offer = surveyOffer(
    {
      enabled: true,
      questionKey: "preview",
      question: survey.question,
      freeText: survey.freeText,
      choices: survey.choices.map((c, i) => ({ key: c.key ?? `new-${i}`, label: c.label })),
    },
    lang,
  );
  const choices = offer?.choices.filter((c) => c.label !== "") ?? [];
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingSm" tone="subdued">
          {t(locale, "survey.preview", { lang: t(locale, `survey.lang.${lang}`) })}
        </Text>
        {!survey.enabled ? (
          <Text as="p" tone="subdued">
            {t(locale, "survey.preview.off")}
          </Text>
        ) : null}
        {offer === null ? (
          <Text as="p" tone="caution">
            {t(locale, "survey.preview.empty")}
          </Text>
        ) : (
          <BlockStack gap="200">
            <Text as="p" variant="headingMd">
              {offer.question}
            </Text>
            {choices.map((c) => (
              <RadioButton key={c.key} label={c.label} name={`survey-preview-${lang}`} id={`survey-preview-${lang}-${c.key}`} />
            ))}
            {offer.freeText ? (
              <TextField
                label={choices.length > 0 ? t(lang, "survey.preview.freeTextLabel") : offer.question}
                autoComplete="off"
                multiline={2}
                value=""
                readOnly
              />
            ) : null}
            <InlineStack>
              <Button disabled>{t(lang, "survey.preview.submit")}</Button>
            </InlineStack>
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}
