import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useRevalidator, useSubmit } from "@remix-run/react";
import { useAfterSave } from "../components/use-after-save";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  FormLayout,
  InlineError,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { appContext } from "../context.server";
import type { FieldErrors } from "../domain/form-input";
import { RANK_TAG_PREFIX } from "../domain/rank";
import type { RankForm, TierRow } from "../domain/rank-form";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { loadRankSettings, saveRankSettings, startRecompute } from "../services/rank-settings.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  return json({ locale: localeFromRequest(request), ...(await loadRankSettings(db.prisma, session.shop)) });
};

const tierRow = z.object({
  key: z.string().max(100),
  labelJa: z.string().max(100),
  labelEn: z.string().max(100),
  minOrders: z.string().max(30),
  minWindowSpent: z.string().max(40),
  combine: z.enum(["any", "all"]),
});
const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), form: z.object({ windowMonths: z.string().max(10), tiers: z.array(tierRow).max(20) }) }),
  z.object({ intent: z.literal("recompute") }),
]);

type ActionData = { ok: true; runId: number | null } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db, queue } = await appContext();
  const input = await readJsonBody(request, body);
  if (input.intent === "recompute") {
    return json<ActionData>({ ok: true, runId: await startRecompute(db, queue, session.shop) });
  }
  const result = await saveRankSettings(db, queue, session.shop, input.form);
  return json<ActionData>(result, { status: result.ok ? 200 : 422 });
};

const blankTier = (rows: TierRow[]): TierRow => {
  const keys = new Set(rows.map((r) => r.key));
  let n = rows.length + 1;
  while (keys.has(`rank-${n}`)) n++;
  return { key: `rank-${n}`, labelJa: "", labelEn: "", minOrders: "", minWindowSpent: "", combine: "any" };
};

export default function Ranks() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const { locale, currency, run } = data;
  const [form, setForm] = useState<RankForm>(data.form);
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = navigation.state !== "idle" && navigation.formMethod === "POST";
  const dirty = JSON.stringify(form) !== JSON.stringify(data.form);

  useEffect(() => {
    if (!actionData) return;
    if (actionData.ok) setErrors({});
    else setErrors(actionData.errors);
    // Only a new answer from the action, not every poll of the progress.
  }, [actionData]);
  // The editor shows what was saved, once the page's data has been reloaded.
  useAfterSave(actionData, () => {
    setForm(data.form);
    shopify.toast.show(t(locale, actionData?.ok && actionData.runId === null ? "ranks.unchanged" : "ranks.saved"));
  });

  // While a recompute runs, fetch its progress every second.
  const { revalidate } = useRevalidator();
  const active = run !== null && (run.status === "queued" || run.status === "running");
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(revalidate, 1000);
    return () => clearTimeout(timer);
  }, [active, run, revalidate]);

  const save = () => submit({ intent: "save", form: { ...form, tiers: form.tiers.map((r) => ({ ...r })) } }, { method: "post", encType: "application/json" });
  const discard = () => {
    setForm(data.form);
    setErrors({});
  };
  const setRow = (i: number, patch: Partial<TierRow>) =>
    setForm((f) => ({ ...f, tiers: f.tiers.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  // Moving or removing rows shifts the indices the errors refer to: clear them.
  const restructure = (tiers: TierRow[]) => {
    setErrors({});
    setForm((f) => ({ ...f, tiers }));
  };
  const move = (i: number, by: -1 | 1) => {
    const tiers = [...form.tiers];
    const [row] = tiers.splice(i, 1);
    tiers.splice(i + by, 0, row!);
    restructure(tiers);
  };
  const err = (field: string) => errorFor(errors, field, locale);

  return (
    <Page
      primaryAction={{ content: t(locale, "common.save"), onAction: save, loading: saving, disabled: !dirty || saving }}
      secondaryActions={dirty ? [{ content: t(locale, "common.discard"), onAction: discard }] : []}
    >
      <TitleBar title={t(locale, "ranks.title")} />
      <SaveBar id="ranks-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        {err("tiers") || Object.keys(errors).length > 0 ? (
          <Layout.Section>
            <Banner tone="critical" title={t(locale, "common.fixErrors")}>
              {err("tiers") ? <p>{err("tiers")}</p> : null}
            </Banner>
          </Layout.Section>
        ) : null}

        <Layout.AnnotatedSection title={t(locale, "ranks.progress.title")} description={t(locale, "ranks.progress.description")}>
          <RecomputeCard locale={locale} run={run} customers={data.customers} onRunAgain={() => submit({ intent: "recompute" }, { method: "post", encType: "application/json" })} busy={saving} />
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t(locale, "ranks.window.title")} description={t(locale, "ranks.window.description")}>
          <Card>
            <TextField
              label={t(locale, "ranks.window.label")}
              type="number"
              min={1}
              max={36}
              suffix={t(locale, "ranks.window.suffix")}
              autoComplete="off"
              value={form.windowMonths}
              onChange={(windowMonths) => setForm((f) => ({ ...f, windowMonths }))}
              error={err("windowMonths")}
            />
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection
          title={t(locale, "ranks.tiers.title")}
          description={t(locale, "ranks.tiers.description", { currency })}
        >
          <BlockStack gap="400">
            {form.tiers.map((row, i) => {
              const both = row.minOrders.trim() !== "" && row.minWindowSpent.trim() !== "";
              const label = (locale === "ja" ? row.labelJa : row.labelEn) || t(locale, "ranks.tiers.unnamed");
              return (
                <Card key={i}>
                  <BlockStack gap="300">
                    <InlineStack align="space-between" blockAlign="center">
                      <InlineStack gap="200" blockAlign="center">
                        <Badge>{String(i + 1)}</Badge>
                        <Text as="h3" variant="headingSm">
                          {label}
                        </Text>
                      </InlineStack>
                      <ButtonGroup>
                        <Button size="slim" onClick={() => move(i, -1)} disabled={i === 0} accessibilityLabel={t(locale, "ranks.tiers.up")}>
                          ↑
                        </Button>
                        <Button
                          size="slim"
                          onClick={() => move(i, 1)}
                          disabled={i === form.tiers.length - 1}
                          accessibilityLabel={t(locale, "ranks.tiers.down")}
                        >
                          ↓
                        </Button>
                        <Button size="slim" tone="critical" variant="plain" onClick={() => restructure(form.tiers.filter((_, j) => j !== i))}>
                          {t(locale, "common.remove")}
                        </Button>
                      </ButtonGroup>
                    </InlineStack>
                    <FormLayout>
                      <FormLayout.Group>
                        <TextField
                          label={t(locale, "ranks.tiers.labelJa")}
                          autoComplete="off"
                          value={row.labelJa}
                          onChange={(labelJa) => setRow(i, { labelJa })}
                          error={err(`tiers[${i}].labelJa`)}
                        />
                        <TextField
                          label={t(locale, "ranks.tiers.labelEn")}
                          autoComplete="off"
                          value={row.labelEn}
                          onChange={(labelEn) => setRow(i, { labelEn })}
                          error={err(`tiers[${i}].labelEn`)}
                        />
                        <TextField
                          label={t(locale, "ranks.tiers.key")}
                          autoComplete="off"
                          monospaced
                          value={row.key}
                          onChange={(key) => setRow(i, { key })}
                          helpText={t(locale, "ranks.tiers.keyHelp", { tag: `${RANK_TAG_PREFIX}${row.key}` })}
                          error={err(`tiers[${i}].key`)}
                        />
                      </FormLayout.Group>
                      <FormLayout.Group>
                        <TextField
                          label={t(locale, "ranks.tiers.minOrders")}
                          autoComplete="off"
                          inputMode="numeric"
                          value={row.minOrders}
                          onChange={(minOrders) => setRow(i, { minOrders })}
                          suffix={t(locale, "ranks.tiers.ordersSuffix")}
                          helpText={t(locale, "ranks.tiers.emptyNoCondition")}
                          error={err(`tiers[${i}].minOrders`)}
                        />
                        <TextField
                          label={t(locale, "ranks.tiers.minWindowSpent", { months: form.windowMonths })}
                          autoComplete="off"
                          inputMode="decimal"
                          value={row.minWindowSpent}
                          onChange={(minWindowSpent) => setRow(i, { minWindowSpent })}
                          suffix={currency}
                          helpText={t(locale, "ranks.tiers.emptyNoCondition")}
                          error={err(`tiers[${i}].minWindowSpent`)}
                        />
                        <Select
                          label={t(locale, "ranks.tiers.combine")}
                          disabled={!both}
                          options={[
                            { label: t(locale, "ranks.tiers.combineAny"), value: "any" },
                            { label: t(locale, "ranks.tiers.combineAll"), value: "all" },
                          ]}
                          value={row.combine}
                          onChange={(combine) => setRow(i, { combine: combine === "all" ? "all" : "any" })}
                        />
                      </FormLayout.Group>
                    </FormLayout>
                    {err(`tiers[${i}].conditions`) ? (
                      <InlineError message={err(`tiers[${i}].conditions`)!} fieldID={`tiers-${i}-conditions`} />
                    ) : null}
                  </BlockStack>
                </Card>
              );
            })}
            <InlineStack>
              <Button onClick={() => restructure([...form.tiers, blankTier(form.tiers)])} disabled={form.tiers.length >= 20}>
                {t(locale, "ranks.tiers.add")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}

interface RunView {
  status: "queued" | "running" | "done" | "failed";
  total: number;
  done: number;
  changed: number;
  error: string | null;
}

function RecomputeCard(props: { locale: Locale; run: RunView | null; customers: number; onRunAgain: () => void; busy: boolean }) {
  const { locale, run } = props;
  if (run === null) {
    return (
      <Card>
        <Text as="p" tone="subdued">
          {t(locale, "ranks.progress.none", { customers: props.customers })}
        </Text>
      </Card>
    );
  }
  const percent = run.total === 0 ? (run.status === "done" ? 100 : 0) : Math.min(100, Math.round((run.done / run.total) * 100));
  const tone = { queued: "info", running: "attention", done: "success", failed: "critical" } as const;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {t(locale, "ranks.progress.heading")}
          </Text>
          <Badge tone={tone[run.status]}>{t(locale, `ranks.progress.status.${run.status}`)}</Badge>
        </InlineStack>
        <ProgressBar progress={percent} tone={run.status === "failed" ? "critical" : run.status === "done" ? "success" : "highlight"} />
        <Text as="p">
          {t(locale, "ranks.progress.counts", { done: Math.min(run.done, Math.max(run.total, run.done)), total: run.total, changed: run.changed })}
        </Text>
        {run.status === "failed" ? (
          <BlockStack gap="200">
            <Text as="p" tone="critical">
              {t(locale, "ranks.progress.failed", { error: run.error ?? "" })}
            </Text>
            <InlineStack>
              <Button onClick={props.onRunAgain} loading={props.busy}>
                {t(locale, "ranks.progress.runAgain")}
              </Button>
            </InlineStack>
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
