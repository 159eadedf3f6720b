import { useMemo, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useAfterSave } from "../components/use-after-save";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { appContext } from "../context.server";
import type { FieldErrors } from "../domain/form-input";
import { previewSamples, SAMPLE_FIRST_NAMES, TEMPLATE_LOCALES, templateKeys, validateTemplates, type PreviewSample } from "../domain/message-form";
import { GUEST_TEMPLATE_KEY, MAX_TEMPLATE_LENGTH, TEMPLATE_VARIABLES, type MessageTemplates } from "../domain/messages";
import { displayMoney } from "../domain/money";
import { tiersFromWire } from "../domain/rank-form";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { loadMessageSettings, saveMessageSettings } from "../services/message-settings.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  return json({ locale: localeFromRequest(request), ...(await loadMessageSettings(db.prisma, session.shop)) });
};

const localized = z.object({ ja: z.string().max(4 * MAX_TEMPLATE_LENGTH), en: z.string().max(4 * MAX_TEMPLATE_LENGTH) });
const body = z.object({ intent: z.literal("save"), templates: z.record(localized) });

type ActionData = { ok: true } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const input = await readJsonBody(request, body);
  const result = await saveMessageSettings(db.prisma, session.shop, input.templates);
  return json<ActionData>(result, { status: result.ok ? 200 : 422 });
};

export default function Messages() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const { locale, currency } = data;
  const tiers = useMemo(() => tiersFromWire(data.tiers), [data.tiers]);
  const keys = useMemo(() => templateKeys(tiers), [tiers]);
  const [templates, setTemplates] = useState<MessageTemplates>(data.templates);
  const [withName, setWithName] = useState(true);
  const saving = navigation.state !== "idle" && navigation.formMethod === "POST";
  const dirty = JSON.stringify(templates) !== JSON.stringify(data.templates);

  // The editor shows what was saved, once the page's data has been reloaded.
  useAfterSave(actionData, () => {
    setTemplates(data.templates);
    shopify.toast.show(t(locale, "messages.saved"));
  });

  // The same checks the server makes, as the merchant types; the server's answer wins if it differs.
  const liveErrors = useMemo(() => validateTemplates(templates, keys), [templates, keys]);
  const errors: FieldErrors = { ...liveErrors, ...(actionData && !actionData.ok ? actionData.errors : {}) };
  const previews = useMemo(
    () => ({
      ja: previewSamples(tiers, templates, currency, "ja", { withName }),
      en: previewSamples(tiers, templates, currency, "en", { withName }),
    }),
    [tiers, templates, currency, withName],
  );

  const save = () => submit({ intent: "save", templates: { ...templates } }, { method: "post", encType: "application/json" });
  const discard = () => setTemplates(data.templates);
  const setText = (key: string, lang: Locale, text: string) =>
    setTemplates((all) => ({ ...all, [key]: { ...(all[key] ?? { ja: "", en: "" }), [lang]: text } }));
  const title = (key: string) => {
    if (key === GUEST_TEMPLATE_KEY && !tiers.some((x) => x.key === key)) return t(locale, "messages.guest");
    const tier = tiers.find((x) => x.key === key);
    return tier ? (locale === "ja" ? tier.labelJa : tier.labelEn) : key;
  };
  const invalid = Object.keys(errors).length > 0;

  return (
    <Page
      primaryAction={{ content: t(locale, "common.save"), onAction: save, loading: saving, disabled: !dirty || saving || invalid }}
      secondaryActions={dirty ? [{ content: t(locale, "common.discard"), onAction: discard }] : []}
    >
      <TitleBar title={t(locale, "messages.title")} />
      <SaveBar id="messages-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving || invalid}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t(locale, "messages.help.title")}
              </Text>
              <Text as="p">{t(locale, "messages.help.intro")}</Text>
              <List>
                {TEMPLATE_VARIABLES.map((v) => (
                  <List.Item key={v}>
                    <Text as="span" fontWeight="semibold">{`{{${v}}}`}</Text> — {t(locale, `messages.var.${v}`)}
                  </List.Item>
                ))}
              </List>
              <Text as="p">{t(locale, "messages.help.sections")}</Text>
              <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                <Text as="p" variant="bodySm">
                  <code>{"{{#first_name}}{{first_name}}様、{{/first_name}}いつもありがとうございます。"}</code>
                </Text>
              </Box>
              <Checkbox
                label={t(locale, "messages.withName", { ja: SAMPLE_FIRST_NAMES.ja, en: SAMPLE_FIRST_NAMES.en })}
                checked={withName}
                onChange={setWithName}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        {actionData && !actionData.ok ? (
          <Layout.Section>
            <Banner tone="critical" title={t(locale, "common.fixErrors")} />
          </Layout.Section>
        ) : null}
        {keys.map((key, i) => {
          const current = templates[key] ?? { ja: "", en: "" };
          const fallback = data.defaults[key];
          const isDefault = fallback !== undefined && fallback.ja === current.ja && fallback.en === current.en;
          return (
            <Layout.Section key={key}>
              <Card>
                <BlockStack gap="400">
                  <InlineStack align="space-between" blockAlign="center">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        {title(key)}
                      </Text>
                      <Badge>{key}</Badge>
                    </InlineStack>
                    <Button
                      variant="plain"
                      disabled={isDefault || fallback === undefined}
                      onClick={() => fallback && setTemplates((all) => ({ ...all, [key]: { ...fallback } }))}
                    >
                      {t(locale, "messages.reset")}
                    </Button>
                  </InlineStack>
                  <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                    {TEMPLATE_LOCALES.map((lang) => (
                      <BlockStack gap="200" key={lang}>
                        <TextField
                          label={t(locale, `messages.label.${lang}`)}
                          multiline={3}
                          autoComplete="off"
                          value={current[lang]}
                          onChange={(text) => setText(key, lang, text)}
                          helpText={`${[...current[lang]].length} / ${MAX_TEMPLATE_LENGTH}`}
                          error={errorFor(errors, `templates.${key}.${lang}`, locale)}
                        />
                        <Preview locale={locale} lang={lang} sample={previews[lang][i]!} currency={currency} />
                      </BlockStack>
                    ))}
                  </InlineGrid>
                </BlockStack>
              </Card>
            </Layout.Section>
          );
        })}
      </Layout>
    </Page>
  );
}

/** The shopper's view for one sample customer: plain text, escaped by React. */
function Preview(props: { locale: Locale; lang: Locale; sample: PreviewSample; currency: string }) {
  const { locale, lang, sample, currency } = props;
  const who =
    sample.stats === null
      ? t(locale, "messages.preview.guest")
      : t(locale, "messages.preview.sample", {
          orders: sample.stats.orderCount,
          count: sample.stats.orderCount,
          spend: displayMoney(sample.stats.windowSpent, currency, locale),
        });
  return (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="150">
        <Text as="p" variant="bodySm" tone="subdued">
          {t(locale, "messages.preview.title", { lang: t(locale, `messages.lang.${lang}`) })} · {who}
        </Text>
        {sample.view === null ? (
          <Text as="p" tone="caution">
            {t(locale, "messages.preview.unreachable")}
          </Text>
        ) : (
          <>
            <Text as="p" variant="bodyMd">
              {sample.view.message}
            </Text>
            {sample.view.progress ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {sample.view.progress.text}
              </Text>
            ) : null}
          </>
        )}
      </BlockStack>
    </Box>
  );
}
