import { useState } from "react";
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineStack, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { appContext } from "../context.server";
import { localeFromRequest, t } from "../locales";
import { loadEmailSnippet } from "../services/email-snippet.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  return json({ locale: localeFromRequest(request), ...(await loadEmailSnippet(db.prisma, session.shop)) });
};

const STEPS = ["open", "edit", "paste", "save", "test", "again"] as const;

export default function EmailSnippet() {
  const data = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const { locale } = data;
  const [lang, setLang] = useState<"ja" | "en">(data.shopLocale);
  const snippet = data.snippets[lang];

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      shopify.toast.show(t(locale, "email.copied"));
    } catch {
      // The admin iframe may refuse clipboard access: select the text for Ctrl/⌘+C instead.
      const field = document.getElementById("tokui-email-snippet") as HTMLTextAreaElement | null;
      field?.focus();
      field?.select();
      shopify.toast.show(t(locale, "email.copyManually"), { isError: true });
    }
  };

  return (
    <Page>
      <TitleBar title={t(locale, "email.title")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t(locale, "email.intro.title")}
              </Text>
              <Text as="p">{t(locale, "email.intro.body")}</Text>
              <List type="number">
                {STEPS.map((step) => (
                  <List.Item key={step}>{t(locale, `email.step.${step}`)}</List.Item>
                ))}
              </List>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Banner tone="info" title={t(locale, "email.timing.title")}>
            <p>{t(locale, "email.timing.body")}</p>
          </Banner>
        </Layout.Section>
        {data.unavailableVariablesUsed[lang] ? (
          <Layout.Section>
            <Banner tone="warning">
              <p>{t(locale, "email.progressLeftOut")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="end" gap="300">
                <Box minWidth="220px">
                  <Select
                    label={t(locale, "email.language")}
                    options={[
                      { label: "日本語", value: "ja" },
                      { label: "English", value: "en" },
                    ]}
                    value={lang}
                    onChange={(v) => setLang(v === "en" ? "en" : "ja")}
                  />
                </Box>
                <Button variant="primary" onClick={copy}>
                  {t(locale, "email.copy")}
                </Button>
              </InlineStack>
              <TextField
                id="tokui-email-snippet"
                label={t(locale, "email.snippet")}
                labelHidden
                value={snippet}
                readOnly
                multiline={12}
                monospaced
                autoComplete="off"
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
