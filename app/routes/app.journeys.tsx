import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { useAfterSave } from "../components/use-after-save";
import { appContext } from "../context.server";
import type { FieldErrors } from "../domain/form-input";
import { MAX_STEPS, PHASES } from "../domain/journeys";
import { renderMail, type MailLocale, type MailTemplate, type MailVariables } from "../mail/render";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import type { JourneyForm, ReplenishmentForm, StepForm } from "../services/followup-settings/definition";
import { loadJourneysPage, saveJourneysPage } from "../services/followup-settings/journeys.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  return json({ locale: localeFromRequest(request), ...(await loadJourneysPage(db.prisma, session.shop)) });
};

const text = (max: number) => z.string().max(max);
const localized = (max: number) => z.object({ ja: text(max), en: text(max) });
const template = { subject: localized(1000), body: localized(20_000) };
const body = z.object({
  intent: z.literal("save"),
  journeys: z
    .array(
      z.object({
        phase: z.enum(PHASES),
        enabled: z.boolean(),
        holdoutPercent: text(20),
        attributionDays: text(20),
        steps: z.array(z.object({ delayDays: text(20), ...template })).max(MAX_STEPS + 1),
      }),
    )
    .max(PHASES.length),
  replenishment: z.object({ enabled: z.boolean(), holdoutPercent: text(20), attributionDays: text(20), leadDays: text(20), ...template }),
  intervals: z.array(z.object({ productGid: text(100), title: text(500), override: text(20) })).max(1000),
});

type ActionData = { ok: true } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db, queue } = await appContext();
  const input = await readJsonBody(request, body);
  const result = await saveJourneysPage(db.prisma, session.shop, input, queue);
  return json<ActionData>(result, { status: result.ok ? 200 : 422 });
};

type Form = { journeys: JourneyForm[]; replenishment: ReplenishmentForm; overrides: Record<string, string> };

function initialForm(data: { journeys: JourneyForm[]; replenishment: ReplenishmentForm; intervals: { productGid: string; override: string }[] }): Form {
  return {
    journeys: data.journeys.map(({ phase, enabled, holdoutPercent, attributionDays, steps }) => ({ phase, enabled, holdoutPercent, attributionDays, steps })),
    replenishment: data.replenishment,
    overrides: Object.fromEntries(data.intervals.map((i) => [i.productGid, i.override])),
  };
}

export default function Journeys() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const { locale } = data;
  const initial = initialForm(data);
  const [form, setForm] = useState<Form>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = navigation.state !== "idle" && navigation.formMethod === "POST";
  const dirty = JSON.stringify(form) !== JSON.stringify(initial);

  useEffect(() => {
    if (!actionData) return;
    if (actionData.ok) setErrors({});
    else setErrors(actionData.errors);
  }, [actionData]);
  // The editor shows what was saved, once the page's data has been reloaded.
  useAfterSave(actionData, () => {
    setForm(initialForm(data));
    shopify.toast.show(t(locale, "journeys.saved"));
  });

  const save = () =>
    submit(
      {
        intent: "save",
        journeys: form.journeys,
        replenishment: form.replenishment,
        intervals: data.intervals.map((i) => ({ productGid: i.productGid, title: i.title, override: form.overrides[i.productGid] ?? "" })),
      } as never,
      { method: "post", encType: "application/json" },
    );
  const discard = () => {
    setForm(initial);
    setErrors({});
  };
  const setJourney = (i: number, patch: Partial<JourneyForm>) =>
    setForm((f) => ({ ...f, journeys: f.journeys.map((j, k) => (k === i ? { ...j, ...patch } : j)) }));
  const setStep = (i: number, s: number, patch: Partial<StepForm>) =>
    setJourney(i, { steps: form.journeys[i]!.steps.map((step, k) => (k === s ? { ...step, ...patch } : step)) });
  // Adding or removing a mail shifts the indices the errors refer to: clear them.
  const restructure = (i: number, steps: StepForm[]) => {
    setErrors({});
    setJourney(i, { steps });
  };
  const err = (field: string) => errorFor(errors, field, locale);

  return (
    <Page
      primaryAction={{ content: t(locale, "common.save"), onAction: save, loading: saving, disabled: !dirty || saving }}
      secondaryActions={dirty ? [{ content: t(locale, "common.discard"), onAction: discard }] : []}
    >
      <TitleBar title={t(locale, "journeys.title")} />
      <SaveBar id="journeys-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        {data.deliveredByFlow ? (
          <Layout.Section>
            <Banner tone="info" title={t(locale, "journeys.viaFlow.title")}>
              <Text as="p">{t(locale, "journeys.viaFlow.body")}</Text>
            </Banner>
          </Layout.Section>
        ) : !data.sendingEnabled ? (
          <Layout.Section>
            <Banner tone="info" title={t(locale, "journeys.notSending.title")}>
              <Text as="p">
                {t(locale, "journeys.notSending.body")} <RemixLink to="/app/mail-settings">{t(locale, "nav.mailSettings")}</RemixLink>
              </Text>
            </Banner>
          </Layout.Section>
        ) : null}
        {Object.keys(errors).length > 0 ? (
          <Layout.Section>
            <Banner tone="critical" title={t(locale, "common.fixErrors")}>
              {errors.journeys ? <Text as="p">{errors.journeys[locale]}</Text> : null}
            </Banner>
          </Layout.Section>
        ) : null}

        <Layout.AnnotatedSection title={t(locale, "journeys.intro.title")} description={t(locale, "journeys.intro.description")}>
          <Card>
            <BlockStack gap="200">
              <Text as="p">{t(locale, "journeys.variables")}</Text>
              <InlineStack gap="200" wrap>
                {data.variables.map((v) => (
                  <Badge key={v}>{`{{${v}}}`}</Badge>
                ))}
              </InlineStack>
              <Text as="p" tone="subdued">
                {t(locale, "journeys.variables.sections")}
              </Text>
              <Text as="p" tone="subdued">
                {t(locale, "journeys.holdout.help")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        {form.journeys.map((journey, i) => {
          const p = `journeys[${i}].`;
          const label = data.journeys[i]?.label[locale] ?? journey.phase;
          return (
            <Layout.AnnotatedSection key={journey.phase} title={label} description={t(locale, `journeys.phase.${journey.phase}`)}>
              <Card>
                <BlockStack gap="400">
                  <Checkbox label={t(locale, "journeys.enabled")} checked={journey.enabled} onChange={(enabled) => setJourney(i, { enabled })} />
                  <CampaignNumbers
                    locale={locale}
                    holdoutPercent={journey.holdoutPercent}
                    attributionDays={journey.attributionDays}
                    onChange={(patch) => setJourney(i, patch)}
                    holdoutError={err(`${p}holdoutPercent`)}
                    attributionError={err(`${p}attributionDays`)}
                  />
                  {err(`${p}steps`) ? (
                    <Text as="p" tone="critical">
                      {err(`${p}steps`)}
                    </Text>
                  ) : null}
                  {journey.steps.map((step, s) => (
                    <Box key={s} borderColor="border" borderWidth="025" borderRadius="200" padding="300">
                      <BlockStack gap="300">
                        <InlineStack align="space-between" blockAlign="center">
                          <Text as="h3" variant="headingSm">
                            {t(locale, "journeys.step", { n: s + 1 })}
                          </Text>
                          <Button variant="plain" tone="critical" disabled={journey.steps.length <= 1} onClick={() => restructure(i, journey.steps.filter((_, k) => k !== s))}>
                            {t(locale, "common.remove")}
                          </Button>
                        </InlineStack>
                        <TextField
                          label={t(locale, "journeys.delayDays")}
                          autoComplete="off"
                          inputMode="numeric"
                          suffix={t(locale, "journeys.daysSuffix")}
                          value={step.delayDays}
                          onChange={(delayDays) => setStep(i, s, { delayDays })}
                          helpText={t(locale, "journeys.delayDays.help")}
                          error={err(`${p}steps[${s}].delayDays`)}
                        />
                        <TemplateFields locale={locale} template={step} onChange={(patch) => setStep(i, s, patch)} errors={errors} prefix={`${p}steps[${s}].`} samples={data.samples} />
                      </BlockStack>
                    </Box>
                  ))}
                  <InlineStack>
                    <Button
                      disabled={journey.steps.length >= MAX_STEPS}
                      onClick={() => {
                        const last = journey.steps[journey.steps.length - 1];
                        const delay = Number(last?.delayDays) || 0;
                        restructure(i, [...journey.steps, { delayDays: String(delay + 21), subject: { ...(last?.subject ?? { ja: "", en: "" }) }, body: { ...(last?.body ?? { ja: "", en: "" }) } }]);
                      }}
                    >
                      {t(locale, "journeys.addStep")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Layout.AnnotatedSection>
          );
        })}

        <Layout.AnnotatedSection title={t(locale, "journeys.replenishment.title")} description={t(locale, "journeys.replenishment.description")}>
          <Card>
            <BlockStack gap="400">
              <Checkbox
                label={t(locale, "journeys.enabled")}
                checked={form.replenishment.enabled}
                onChange={(enabled) => setForm((f) => ({ ...f, replenishment: { ...f.replenishment, enabled } }))}
              />
              <TextField
                label={t(locale, "journeys.leadDays")}
                autoComplete="off"
                inputMode="numeric"
                suffix={t(locale, "journeys.daysSuffix")}
                value={form.replenishment.leadDays}
                onChange={(leadDays) => setForm((f) => ({ ...f, replenishment: { ...f.replenishment, leadDays } }))}
                helpText={t(locale, "journeys.leadDays.help")}
                error={err("replenishment.leadDays")}
              />
              <CampaignNumbers
                locale={locale}
                holdoutPercent={form.replenishment.holdoutPercent}
                attributionDays={form.replenishment.attributionDays}
                onChange={(patch) => setForm((f) => ({ ...f, replenishment: { ...f.replenishment, ...patch } }))}
                holdoutError={err("replenishment.holdoutPercent")}
                attributionError={err("replenishment.attributionDays")}
              />
              <TemplateFields
                locale={locale}
                template={form.replenishment}
                onChange={(patch) => setForm((f) => ({ ...f, replenishment: { ...f.replenishment, ...patch } }))}
                errors={errors}
                prefix="replenishment."
                samples={data.samples}
              />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.Section>
          <Card padding="0">
            <BlockStack gap="0">
              <Box padding="400">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    {t(locale, "journeys.intervals.title")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t(locale, "journeys.intervals.description", { pairs: data.minPairs, customers: data.minCustomers })}
                  </Text>
                </BlockStack>
              </Box>
              <IndexTable
                resourceName={{ singular: t(locale, "journeys.intervals.product"), plural: t(locale, "journeys.intervals.products") }}
                itemCount={data.intervals.length}
                selectable={false}
                emptyState={
                  <Box padding="400">
                    <Text as="p" tone="subdued" alignment="center">
                      {t(locale, "journeys.intervals.empty")}
                    </Text>
                  </Box>
                }
                headings={[
                  { title: t(locale, "journeys.intervals.product") },
                  { title: t(locale, "journeys.intervals.learned") },
                  { title: t(locale, "journeys.intervals.override") },
                ]}
              >
                {data.intervals.map((row, index) => (
                  <IndexTable.Row id={row.productGid} key={row.productGid} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="medium">
                        {row.title}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {row.learnedDaysPerUnit !== null ? (
                        <BlockStack gap="050">
                          <Text as="span">{t(locale, "journeys.intervals.days", { days: row.learnedDaysPerUnit })}</Text>
                          <Text as="span" variant="bodySm" tone="subdued">
                            {t(locale, "journeys.intervals.sample", { pairs: row.samplePairs, customers: row.sampleCustomers })}
                          </Text>
                        </BlockStack>
                      ) : (
                        <BlockStack gap="050">
                          <Text as="span" tone="subdued">
                            {t(locale, "journeys.intervals.notEnough")}
                          </Text>
                          {row.learnedAt ? (
                            <Text as="span" variant="bodySm" tone="subdued">
                              {t(locale, "journeys.intervals.sample", { pairs: row.samplePairs, customers: row.sampleCustomers })}
                            </Text>
                          ) : null}
                        </BlockStack>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <div style={{ maxWidth: "12rem" }}>
                        <TextField
                          label={t(locale, "journeys.intervals.override")}
                          labelHidden
                          autoComplete="off"
                          inputMode="numeric"
                          suffix={t(locale, "journeys.daysSuffix")}
                          placeholder={t(locale, "journeys.intervals.auto")}
                          value={form.overrides[row.productGid] ?? ""}
                          onChange={(value) => setForm((f) => ({ ...f, overrides: { ...f.overrides, [row.productGid]: value } }))}
                          error={err(`intervals[${index}].override`)}
                        />
                      </div>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function CampaignNumbers(props: {
  locale: Locale;
  holdoutPercent: string;
  attributionDays: string;
  onChange: (patch: { holdoutPercent?: string; attributionDays?: string }) => void;
  holdoutError?: string;
  attributionError?: string;
}) {
  const { locale } = props;
  return (
    <FormLayout>
      <FormLayout.Group>
        <TextField
          label={t(locale, "journeys.holdoutPercent")}
          autoComplete="off"
          inputMode="numeric"
          suffix="%"
          value={props.holdoutPercent}
          onChange={(holdoutPercent) => props.onChange({ holdoutPercent })}
          helpText={t(locale, "journeys.holdoutPercent.help")}
          error={props.holdoutError}
        />
        <TextField
          label={t(locale, "journeys.attributionDays")}
          autoComplete="off"
          inputMode="numeric"
          suffix={t(locale, "journeys.daysSuffix")}
          value={props.attributionDays}
          onChange={(attributionDays) => props.onChange({ attributionDays })}
          helpText={t(locale, "journeys.attributionDays.help")}
          error={props.attributionError}
        />
      </FormLayout.Group>
    </FormLayout>
  );
}

const PREVIEW_URL = "https://example.com/unsubscribe";

function TemplateFields(props: {
  locale: Locale;
  template: MailTemplate;
  onChange: (patch: Partial<MailTemplate>) => void;
  errors: FieldErrors;
  prefix: string;
  samples: Record<MailLocale, MailVariables>;
}) {
  const { locale, template, prefix } = props;
  const [preview, setPreview] = useState<MailLocale | null>(null);
  const err = (field: string) => errorFor(props.errors, `${prefix}${field}`, locale);
  const set = (part: "subject" | "body", lang: MailLocale, value: string) => props.onChange({ [part]: { ...template[part], [lang]: value } });
  let rendered: { subject: string; text: string } | null = null;
  if (preview) {
    try {
      rendered = renderMail(template, preview, props.samples[preview], { unsubscribeUrl: PREVIEW_URL });
    } catch {
      rendered = null;
    }
  }
  return (
    <BlockStack gap="300">
      <FormLayout>
        <FormLayout.Group>
          <TextField label={t(locale, "journeys.subject.ja")} autoComplete="off" value={template.subject.ja} onChange={(v) => set("subject", "ja", v)} error={err("subject.ja")} />
          <TextField label={t(locale, "journeys.subject.en")} autoComplete="off" value={template.subject.en} onChange={(v) => set("subject", "en", v)} error={err("subject.en")} />
        </FormLayout.Group>
        <FormLayout.Group>
          <TextField label={t(locale, "journeys.body.ja")} autoComplete="off" multiline={6} value={template.body.ja} onChange={(v) => set("body", "ja", v)} error={err("body.ja")} />
          <TextField label={t(locale, "journeys.body.en")} autoComplete="off" multiline={6} value={template.body.en} onChange={(v) => set("body", "en", v)} error={err("body.en")} />
        </FormLayout.Group>
      </FormLayout>
      <InlineStack gap="200">
        <Button size="slim" pressed={preview === "ja"} onClick={() => setPreview(preview === "ja" ? null : "ja")}>
          {t(locale, "journeys.preview.ja")}
        </Button>
        <Button size="slim" pressed={preview === "en"} onClick={() => setPreview(preview === "en" ? null : "en")}>
          {t(locale, "journeys.preview.en")}
        </Button>
      </InlineStack>
      {preview ? (
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          {rendered ? (
            <BlockStack gap="200">
              <Text as="p" fontWeight="semibold">
                {rendered.subject}
              </Text>
              <div style={{ whiteSpace: "pre-wrap", fontSize: "0.875rem" }}>{rendered.text}</div>
              <Text as="p" variant="bodySm" tone="subdued">
                {t(locale, "journeys.preview.note")}
              </Text>
            </BlockStack>
          ) : (
            <Text as="p" tone="critical">
              {t(locale, "journeys.preview.broken")}
            </Text>
          )}
        </Box>
      ) : null}
    </BlockStack>
  );
}
