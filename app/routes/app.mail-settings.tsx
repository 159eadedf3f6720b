import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { useAfterSave } from "../components/use-after-save";
import { appContext } from "../context.server";
import type { FieldErrors } from "../domain/form-input";
import type { Localized } from "../domain/messages";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t } from "../locales";
import {
  loadMailSettings,
  saveMailSettings,
  sendTestMail,
  setMailEnabled,
  type MailSettingsForm,
} from "../services/followup-settings/mail-settings.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const view = await loadMailSettings(db.prisma, session.shop);
  const paused = await db.prisma.mailSettings.findUnique({ where: { shop: session.shop }, select: { pausedAt: true, pauseReason: true } });
  return json({
    locale: localeFromRequest(request),
    ...view,
    pausedAt: paused?.pausedAt?.toISOString() ?? null,
    pauseReason: pauseReason(paused?.pauseReason),
  });
};

/** MailSettings.pauseReason: JSON of the failure's message in both languages (set by the sender). */
function pauseReason(text: string | null | undefined): Localized | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Localized>;
    if (typeof value.en === "string" && typeof value.ja === "string") return { en: value.en, ja: value.ja };
  } catch {
    // not JSON: shown as written
  }
  return { en: text, ja: text };
}

const text = (max = 300) => z.string().max(max);
const formSchema = z.object({
  host: text(),
  port: text(20),
  security: text(20),
  user: text(300),
  password: text(1100),
  fromAddress: text(),
  fromName: text(),
  replyTo: text(),
  sendFromHour: text(10),
  sendToHour: text(10),
});
const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), form: formSchema }),
  z.object({ intent: z.literal("enable"), enabled: z.boolean() }),
  z.object({ intent: z.literal("test"), to: text(), locale: z.enum(["ja", "en"]) }),
]);

type ActionData =
  | { intent: "save"; ok: true }
  | { intent: "save"; ok: false; errors: FieldErrors; message?: Localized }
  | { intent: "enable"; ok: boolean; message?: Localized }
  | { intent: "test"; ok: true; to: string }
  | { intent: "test"; ok: false; kind: string; message: Localized; retry?: boolean };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const input = await readJsonBody(request, body);
  if (input.intent === "save") {
    const result = await saveMailSettings(db.prisma, session.shop, input.form);
    return json<ActionData>({ intent: "save", ...result }, { status: result.ok ? 200 : 422 });
  }
  if (input.intent === "enable") {
    const result = await setMailEnabled(db.prisma, session.shop, input.enabled);
    return json<ActionData>({ intent: "enable", ...result }, { status: result.ok ? 200 : 422 });
  }
  const appUrl = process.env.SHOPIFY_APP_URL ?? new URL(request.url).origin;
  const result = await sendTestMail(db.prisma, session.shop, { to: input.to, locale: input.locale, appUrl });
  if (result.ok) return json<ActionData>({ intent: "test", ok: true, to: result.to });
  return json<ActionData>({ intent: "test", ok: false, kind: result.kind, message: result.message, retry: result.retry }, { status: 422 });
};

const SECURITY_PORTS: Record<string, string> = { tls: "465", starttls: "587", none: "25" };

export default function MailSettings() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const { locale } = data;
  const [form, setForm] = useState<MailSettingsForm>(data.form);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [testTo, setTestTo] = useState("");
  const [testLocale, setTestLocale] = useState<"ja" | "en">(locale);
  const busy = navigation.state !== "idle" && navigation.formMethod === "POST";
  const dirty = JSON.stringify(form) !== JSON.stringify(data.form);

  useEffect(() => {
    if (!actionData) return;
    if (actionData.intent === "save") {
      if (actionData.ok) setErrors({});
      else setErrors(actionData.errors);
    } else if (actionData.intent === "test" && actionData.ok) {
      shopify.toast.show(t(locale, "mailSettings.test.sent", { to: actionData.to }));
    }
    // Only a new answer from the action updates the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [actionData]);

  // The form shows what was saved (the password field empty again), once the data has been reloaded.
  useAfterSave(actionData?.intent === "save" ? actionData : undefined, () => {
    setForm(data.form);
    shopify.toast.show(t(locale, "mailSettings.saved"));
  });

  const post = (payload: Record<string, unknown>) => submit(payload as never, { method: "post", encType: "application/json" });
  const save = () => post({ intent: "save", form: { ...form } });
  const discard = () => {
    setForm(data.form);
    setErrors({});
  };
  const set = (patch: Partial<MailSettingsForm>) => setForm((f) => ({ ...f, ...patch }));
  const err = (field: string) => errorFor(errors, field, locale);
  const saveMessage = actionData?.intent === "save" && !actionData.ok ? actionData.message : undefined;
  const enableMessage = actionData?.intent === "enable" && !actionData.ok ? actionData.message : undefined;
  const testResult = actionData?.intent === "test" ? actionData : null;

  return (
    <Page
      primaryAction={{ content: t(locale, "common.save"), onAction: save, loading: busy, disabled: !dirty || busy || data.keyProblem !== null }}
      secondaryActions={dirty ? [{ content: t(locale, "common.discard"), onAction: discard }] : []}
    >
      <TitleBar title={t(locale, "mailSettings.title")} />
      <SaveBar id="mail-settings-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={busy}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        {data.keyProblem ? (
          <Layout.Section>
            <Banner tone="critical" title={t(locale, "mailSettings.key.title")}>
              <BlockStack gap="200">
                <Text as="p">{t(locale, "mailSettings.key.body")}</Text>
                <Text as="p" fontWeight="medium">
                  <code>TOKUI_ENCRYPTION_KEY=$(openssl rand -base64 32)</code>
                </Text>
                <Text as="p" tone="subdued">
                  {data.keyProblem}
                </Text>
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.pausedAt ? (
          <Layout.Section>
            <Banner tone="warning" title={t(locale, "mailSettings.paused.title")}>
              <BlockStack gap="100">
                {data.pauseReason ? <Text as="p">{data.pauseReason[locale]}</Text> : null}
                <Text as="p">{t(locale, "mailSettings.paused.body")}</Text>
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {Object.keys(errors).length > 0 || saveMessage ? (
          <Layout.Section>
            <Banner tone="critical" title={saveMessage ? saveMessage[locale] : t(locale, "common.fixErrors")} />
          </Layout.Section>
        ) : null}

        <Layout.AnnotatedSection title={t(locale, "mailSettings.sending.title")} description={t(locale, "mailSettings.sending.description")}>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="300" blockAlign="center">
                <Badge tone={data.enabled ? (data.pausedAt ? "warning" : "success") : undefined}>
                  {t(locale, data.enabled ? (data.pausedAt ? "mailSettings.sending.paused" : "mailSettings.sending.on") : "mailSettings.sending.off")}
                </Badge>
                <Button
                  onClick={() => post({ intent: "enable", enabled: !data.enabled || data.pausedAt !== null })}
                  disabled={busy || !data.saved || data.keyProblem !== null}
                  variant={data.enabled && !data.pausedAt ? undefined : "primary"}
                >
                  {t(locale, data.enabled && !data.pausedAt ? "mailSettings.sending.turnOff" : "mailSettings.sending.turnOn")}
                </Button>
              </InlineStack>
              {!data.saved ? (
                <Text as="p" tone="subdued">
                  {t(locale, "mailSettings.sending.saveFirst")}
                </Text>
              ) : null}
              {enableMessage ? (
                <Text as="p" tone="critical">
                  {enableMessage[locale]}
                </Text>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t(locale, "mailSettings.server.title")} description={t(locale, "mailSettings.server.description")}>
          <Card>
            <FormLayout>
              <TextField label={t(locale, "mailSettings.host")} autoComplete="off" value={form.host} onChange={(host) => set({ host })} placeholder="smtp.example.com" error={err("host")} />
              <FormLayout.Group>
                <Select
                  label={t(locale, "mailSettings.security")}
                  options={[
                    { label: t(locale, "mailSettings.security.starttls"), value: "starttls" },
                    { label: t(locale, "mailSettings.security.tls"), value: "tls" },
                    { label: t(locale, "mailSettings.security.none"), value: "none" },
                  ]}
                  value={form.security}
                  onChange={(security) => set({ security, port: form.port === "" || Object.values(SECURITY_PORTS).includes(form.port) ? (SECURITY_PORTS[security] ?? form.port) : form.port })}
                  error={err("security")}
                />
                <TextField label={t(locale, "mailSettings.port")} autoComplete="off" inputMode="numeric" value={form.port} onChange={(port) => set({ port })} error={err("port")} />
              </FormLayout.Group>
              <FormLayout.Group>
                <TextField label={t(locale, "mailSettings.user")} autoComplete="off" value={form.user} onChange={(user) => set({ user })} error={err("user")} />
                <TextField
                  label={t(locale, "mailSettings.password")}
                  type="password"
                  autoComplete="new-password"
                  value={form.password}
                  onChange={(password) => set({ password })}
                  helpText={t(locale, data.hasPassword ? "mailSettings.password.keep" : "mailSettings.password.help")}
                  error={err("password")}
                />
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t(locale, "mailSettings.sender.title")} description={t(locale, "mailSettings.sender.description")}>
          <Card>
            <FormLayout>
              <TextField label={t(locale, "mailSettings.fromAddress")} type="email" autoComplete="off" value={form.fromAddress} onChange={(fromAddress) => set({ fromAddress })} error={err("fromAddress")} />
              <TextField label={t(locale, "mailSettings.fromName")} autoComplete="off" value={form.fromName} onChange={(fromName) => set({ fromName })} helpText={t(locale, "mailSettings.fromName.help")} error={err("fromName")} />
              <TextField label={t(locale, "mailSettings.replyTo")} type="email" autoComplete="off" value={form.replyTo} onChange={(replyTo) => set({ replyTo })} helpText={t(locale, "mailSettings.replyTo.help")} error={err("replyTo")} />
              <FormLayout.Group>
                <TextField label={t(locale, "mailSettings.hours.from")} autoComplete="off" inputMode="numeric" suffix={t(locale, "mailSettings.hours.suffix")} value={form.sendFromHour} onChange={(sendFromHour) => set({ sendFromHour })} error={err("sendingHours")} />
                <TextField label={t(locale, "mailSettings.hours.to")} autoComplete="off" inputMode="numeric" suffix={t(locale, "mailSettings.hours.suffix")} value={form.sendToHour} onChange={(sendToHour) => set({ sendToHour })} helpText={t(locale, "mailSettings.hours.help")} />
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t(locale, "mailSettings.test.title")} description={t(locale, "mailSettings.test.description")}>
          <Card>
            <BlockStack gap="300">
              <FormLayout>
                <FormLayout.Group>
                  <TextField label={t(locale, "mailSettings.test.to")} type="email" autoComplete="email" value={testTo} onChange={setTestTo} />
                  <Select
                    label={t(locale, "mailSettings.test.language")}
                    options={[
                      { label: "日本語", value: "ja" },
                      { label: "English", value: "en" },
                    ]}
                    value={testLocale}
                    onChange={(v) => setTestLocale(v === "en" ? "en" : "ja")}
                  />
                </FormLayout.Group>
              </FormLayout>
              <InlineStack>
                <Button onClick={() => post({ intent: "test", to: testTo, locale: testLocale })} disabled={busy || !data.saved || dirty || testTo.trim() === ""}>
                  {t(locale, "mailSettings.test.send")}
                </Button>
              </InlineStack>
              {dirty ? (
                <Text as="p" tone="subdued">
                  {t(locale, "mailSettings.test.saveFirst")}
                </Text>
              ) : null}
              {testResult && !testResult.ok ? (
                <Banner tone="critical" title={t(locale, `mailSettings.test.failed.${testResult.kind}`)}>
                  <Text as="p">{testResult.message[locale]}</Text>
                </Banner>
              ) : null}
              {testResult?.ok ? <Banner tone="success" title={t(locale, "mailSettings.test.sent", { to: testResult.to })} /> : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
