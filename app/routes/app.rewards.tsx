import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import { useAfterSave } from "../components/use-after-save";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  FormLayout,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Tabs,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { appContext } from "../context.server";
import type { FieldErrors } from "../domain/form-input";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { GRANT_STATUSES, isGrantStatus, type GrantStatus } from "../domain/grant-status";
import { REWARD_HOLDOUT_DEFAULT } from "../domain/reward-holdout";
import type { RewardGrantRow } from "../models/reward-grant-list.server";
import { loadRewardSettings, saveRewardSettings, type RewardRow } from "../services/reward-settings.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const params = new URL(request.url).searchParams;
  const status = params.get("status");
  const settings = await loadRewardSettings(db.prisma, session.shop, {
    status: isGrantStatus(status) ? status : null,
    page: Number(params.get("page") ?? "1"),
  });
  return json({ locale: localeFromRequest(request), ...settings });
};

const text = (max = 200) => z.string().max(max);
const row = z.object({
  key: text(60),
  triggerKind: z.enum(["orderCount", "rank"]),
  count: text(20),
  rankKey: text(60),
  rewardKind: z.enum(["discount", "freeSample"]),
  discountType: z.enum(["percentage", "fixed"]),
  percent: text(20),
  amount: text(40),
  expiresInDays: text(20),
  minimumSubtotal: text(40),
  packerNoteJa: text(500),
  packerNoteEn: text(500),
  orderTag: text(100),
  // Optional for callers from before the reward holdout: the defaults (10% held out, 14 days).
  holdoutPercent: text(20).default(String(REWARD_HOLDOUT_DEFAULT)),
  attributionDays: text(20).default("14"),
});
const body = z.object({ intent: z.literal("save"), rows: z.array(row).max(50) });

type ActionData = { ok: true } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const input = await readJsonBody(request, body);
  const result = await saveRewardSettings(db.prisma, session.shop, input.rows);
  return json<ActionData>(result, { status: result.ok ? 200 : 422 });
};

function nextKey(rows: RewardRow[]): string {
  const keys = new Set(rows.map((r) => r.key));
  let n = rows.length + 1;
  while (keys.has(`reward-${n}`)) n++;
  return `reward-${n}`;
}

export default function Rewards() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const { locale, currency } = data;
  const [rows, setRows] = useState<RewardRow[]>(data.rows);
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = navigation.state !== "idle" && navigation.formMethod === "POST";
  const dirty = JSON.stringify(rows) !== JSON.stringify(data.rows);

  useEffect(() => {
    if (!actionData) return;
    if (actionData.ok) setErrors({});
    else setErrors(actionData.errors);
  }, [actionData]);
  // The editor shows what was saved, once the page's data has been reloaded.
  useAfterSave(actionData, () => {
    setRows(data.rows);
    shopify.toast.show(t(locale, "rewards.saved"));
  });

  const save = () => submit({ intent: "save", rows: rows.map((r) => ({ ...r })) }, { method: "post", encType: "application/json" });
  const discard = () => {
    setRows(data.rows);
    setErrors({});
  };
  const setRow = (i: number, patch: Partial<RewardRow>) => setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  // Removing a row shifts the indices the errors refer to: clear them.
  const restructure = (next: RewardRow[]) => {
    setErrors({});
    setRows(next);
  };
  const err = (field: string) => errorFor(errors, field, locale);
  const tierOptions = data.tiers.map((x) => ({ label: locale === "ja" ? x.labelJa : x.labelEn, value: x.key }));
  const locked = new Set(data.lockedKeys);

  return (
    <Page
      primaryAction={{ content: t(locale, "common.save"), onAction: save, loading: saving, disabled: !dirty || saving }}
      secondaryActions={dirty ? [{ content: t(locale, "common.discard"), onAction: discard }] : []}
    >
      <TitleBar title={t(locale, "rewards.title")} />
      <SaveBar id="rewards-save-bar" open={dirty}>
        <button variant="primary" onClick={save} disabled={saving}></button>
        <button onClick={discard}></button>
      </SaveBar>
      <Layout>
        {Object.keys(errors).length > 0 ? (
          <Layout.Section>
            <Banner tone="critical" title={t(locale, "common.fixErrors")} />
          </Layout.Section>
        ) : null}
        <Layout.AnnotatedSection title={t(locale, "rewards.milestones.title")} description={t(locale, "rewards.milestones.description")}>
          <BlockStack gap="400">
            {rows.map((row, i) => {
              const f = (name: string) => `milestones[${i}].${name}`;
              const isLocked = locked.has(row.key) && data.rows.some((r) => r.key === row.key);
              return (
                <Card key={i}>
                  <BlockStack gap="300">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        {row.key || t(locale, "rewards.milestones.unnamed")}
                      </Text>
                      <Button variant="plain" tone="critical" onClick={() => restructure(rows.filter((_, j) => j !== i))}>
                        {t(locale, "common.remove")}
                      </Button>
                    </InlineStack>
                    <FormLayout>
                      <TextField
                        label={t(locale, "rewards.key")}
                        autoComplete="off"
                        monospaced
                        value={row.key}
                        disabled={isLocked}
                        onChange={(key) => setRow(i, { key })}
                        helpText={t(locale, isLocked ? "rewards.keyLocked" : "rewards.keyHelp")}
                        error={err(f("key"))}
                      />
                      <FormLayout.Group>
                        <Select
                          label={t(locale, "rewards.trigger")}
                          options={[
                            { label: t(locale, "rewards.trigger.orderCount"), value: "orderCount" },
                            { label: t(locale, "rewards.trigger.rank"), value: "rank" },
                          ]}
                          value={row.triggerKind}
                          onChange={(v) => setRow(i, { triggerKind: v === "rank" ? "rank" : "orderCount" })}
                        />
                        {row.triggerKind === "orderCount" ? (
                          <TextField
                            label={t(locale, "rewards.trigger.count")}
                            autoComplete="off"
                            inputMode="numeric"
                            suffix={t(locale, "rewards.trigger.countSuffix")}
                            value={row.count}
                            onChange={(count) => setRow(i, { count })}
                            error={err(f("trigger.count"))}
                          />
                        ) : (
                          <Select
                            label={t(locale, "rewards.trigger.rankKey")}
                            options={[{ label: "—", value: "" }, ...tierOptions]}
                            value={row.rankKey}
                            onChange={(rankKey) => setRow(i, { rankKey })}
                            helpText={t(locale, "rewards.trigger.rankHelp")}
                            error={err(f("trigger.rankKey"))}
                          />
                        )}
                      </FormLayout.Group>
                      <Select
                        label={t(locale, "rewards.reward")}
                        options={[
                          { label: t(locale, "rewards.reward.discount"), value: "discount" },
                          { label: t(locale, "rewards.reward.freeSample"), value: "freeSample" },
                        ]}
                        value={row.rewardKind}
                        onChange={(v) => setRow(i, { rewardKind: v === "freeSample" ? "freeSample" : "discount" })}
                      />
                      {row.rewardKind === "discount" ? (
                        <>
                          <FormLayout.Group>
                            <Select
                              label={t(locale, "rewards.discount.type")}
                              options={[
                                { label: t(locale, "rewards.discount.percentage"), value: "percentage" },
                                { label: t(locale, "rewards.discount.fixed", { currency }), value: "fixed" },
                              ]}
                              value={row.discountType}
                              onChange={(v) => setRow(i, { discountType: v === "fixed" ? "fixed" : "percentage" })}
                            />
                            {row.discountType === "percentage" ? (
                              <TextField
                                label={t(locale, "rewards.discount.percent")}
                                autoComplete="off"
                                inputMode="numeric"
                                suffix="%"
                                value={row.percent}
                                onChange={(percent) => setRow(i, { percent })}
                                error={err(f("reward.value"))}
                              />
                            ) : (
                              <TextField
                                label={t(locale, "rewards.discount.amount")}
                                autoComplete="off"
                                inputMode="decimal"
                                suffix={currency}
                                value={row.amount}
                                onChange={(amount) => setRow(i, { amount })}
                                error={err(f("reward.value"))}
                              />
                            )}
                          </FormLayout.Group>
                          <FormLayout.Group>
                            <TextField
                              label={t(locale, "rewards.discount.expiresInDays")}
                              autoComplete="off"
                              inputMode="numeric"
                              suffix={t(locale, "rewards.discount.daysSuffix")}
                              value={row.expiresInDays}
                              onChange={(expiresInDays) => setRow(i, { expiresInDays })}
                              error={err(f("reward.expiresInDays"))}
                            />
                            <TextField
                              label={t(locale, "rewards.discount.minimumSubtotal")}
                              autoComplete="off"
                              inputMode="decimal"
                              suffix={currency}
                              value={row.minimumSubtotal}
                              onChange={(minimumSubtotal) => setRow(i, { minimumSubtotal })}
                              helpText={t(locale, "rewards.discount.minimumHelp")}
                              error={err(f("reward.minimumSubtotal"))}
                            />
                          </FormLayout.Group>
                        </>
                      ) : (
                        <>
                          <FormLayout.Group>
                            <TextField
                              label={t(locale, "rewards.sample.noteJa")}
                              autoComplete="off"
                              multiline={2}
                              value={row.packerNoteJa}
                              onChange={(packerNoteJa) => setRow(i, { packerNoteJa })}
                              error={err(f("reward.packerNote"))}
                            />
                            <TextField
                              label={t(locale, "rewards.sample.noteEn")}
                              autoComplete="off"
                              multiline={2}
                              value={row.packerNoteEn}
                              onChange={(packerNoteEn) => setRow(i, { packerNoteEn })}
                              error={err(f("reward.packerNote"))}
                            />
                          </FormLayout.Group>
                          <TextField
                            label={t(locale, "rewards.sample.orderTag")}
                            autoComplete="off"
                            monospaced
                            value={row.orderTag}
                            onChange={(orderTag) => setRow(i, { orderTag })}
                            helpText={t(locale, "rewards.sample.orderTagHelp")}
                            error={err(f("reward.orderTag"))}
                          />
                        </>
                      )}
                      <FormLayout.Group>
                        <TextField
                          label={t(locale, "rewards.holdout.percent")}
                          autoComplete="off"
                          inputMode="numeric"
                          suffix="%"
                          value={row.holdoutPercent}
                          onChange={(holdoutPercent) => setRow(i, { holdoutPercent })}
                          helpText={t(locale, "rewards.holdout.percentHelp")}
                          error={err(f("holdoutPercent"))}
                        />
                        <TextField
                          label={t(locale, "rewards.holdout.days")}
                          autoComplete="off"
                          inputMode="numeric"
                          suffix={t(locale, "rewards.discount.daysSuffix")}
                          value={row.attributionDays}
                          onChange={(attributionDays) => setRow(i, { attributionDays })}
                          helpText={t(locale, "rewards.holdout.daysHelp")}
                          error={err(f("attributionDays"))}
                        />
                      </FormLayout.Group>
                    </FormLayout>
                  </BlockStack>
                </Card>
              );
            })}
            <InlineStack>
              <Button onClick={() => restructure([...rows, { ...data.blankRow, key: nextKey(rows) }])} disabled={rows.length >= 50}>
                {t(locale, "rewards.add")}
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t(locale, "rewards.policy.title")} description={t(locale, "rewards.policy.description")}>
          <Card>
            <BlockStack gap="200">
              <Text as="p">{t(locale, "rewards.policy.body")}</Text>
              <Text as="p" tone="subdued">
                {t(locale, "rewards.policy.again")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.Section>
          <GrantList locale={locale} grants={data.grants} counts={data.counts} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type Counts = { byStatus: Record<GrantStatus, number>; issued: number; redeemed: number };
type Grants = { rows: RewardGrantRow[]; total: number; page: number; pages: number; status: GrantStatus | null };

const STATUS_TONE: Record<GrantStatus, "info" | "success" | "attention" | "critical" | undefined> = {
  pending: "attention",
  issued: "info",
  redeemed: "success",
  revoked: undefined,
  failed: "critical",
  held: undefined,
};

function GrantList({ locale, grants, counts }: { locale: Locale; grants: Grants; counts: Counts }) {
  const [, setSearchParams] = useSearchParams();
  const filters: (GrantStatus | null)[] = [null, ...GRANT_STATUSES];
  const total = Object.values(counts.byStatus).reduce((a, b) => a + b, 0);
  const rate = counts.issued === 0 ? null : counts.redeemed / counts.issued;
  const go = (status: GrantStatus | null, page: number) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (status) next.set("status", status);
        else next.delete("status");
        if (page > 1) next.set("page", String(page));
        else next.delete("page");
        return next;
      },
      { preventScrollReset: true },
    );
  const name = (c: RewardGrantRow["customer"]) => {
    if (c.redacted) return t(locale, "rewards.grants.redacted");
    const parts = locale === "ja" ? [c.lastName, c.firstName] : [c.firstName, c.lastName];
    return parts.filter(Boolean).join(" ") || c.email || c.gid.split("/").pop() || "—";
  };

  return (
    <Card padding="0">
      <BlockStack gap="0">
        <BlockStack gap="300">
          <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t(locale, "rewards.grants.title")}
              </Text>
              <InlineGrid columns={3} gap="400">
                <Figure label={t(locale, "rewards.grants.issued")} value={String(counts.issued)} />
                <Figure label={t(locale, "rewards.grants.redeemed")} value={String(counts.redeemed)} />
                <Figure label={t(locale, "rewards.grants.rate")} value={rate === null ? "—" : `${(rate * 100).toFixed(1)}%`} />
              </InlineGrid>
            </BlockStack>
          </div>
          <Tabs
            tabs={filters.map((s) => ({
              id: s ?? "all",
              content: s ? t(locale, `rewards.status.${s}`) : t(locale, "rewards.status.all"),
              badge: String(s ? counts.byStatus[s] : total),
            }))}
            selected={filters.indexOf(grants.status)}
            onSelect={(i) => go(filters[i] ?? null, 1)}
          />
        </BlockStack>
        <IndexTable
          resourceName={{ singular: t(locale, "rewards.grants.singular"), plural: t(locale, "rewards.grants.plural") }}
          itemCount={grants.rows.length}
          selectable={false}
          emptyState={
            <div style={{ padding: "var(--p-space-400)" }}>
              <Text as="p" tone="subdued" alignment="center">
                {t(locale, "rewards.grants.empty")}
              </Text>
            </div>
          }
          headings={[
            { title: t(locale, "rewards.grants.customer") },
            { title: t(locale, "rewards.grants.milestone") },
            { title: t(locale, "rewards.grants.status") },
            { title: t(locale, "rewards.grants.code") },
            { title: t(locale, "rewards.grants.order") },
            { title: t(locale, "rewards.grants.dates") },
          ]}
          pagination={{
            hasPrevious: grants.page > 1,
            hasNext: grants.page < grants.pages,
            onPrevious: () => go(grants.status, grants.page - 1),
            onNext: () => go(grants.status, grants.page + 1),
            label: t(locale, "rewards.grants.page", { page: grants.page, pages: grants.pages }),
          }}
        >
          {grants.rows.map((g, index) => (
            <IndexTable.Row id={String(g.id)} key={g.id} position={index}>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span" fontWeight="semibold">
                    {name(g.customer)}
                  </Text>
                  {g.customer.email && !g.customer.redacted ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {g.customer.email}
                    </Text>
                  ) : null}
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span">{g.milestoneKey}</Text>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {t(locale, g.kind === "freeSample" ? "rewards.reward.freeSample" : "rewards.reward.discount")}
                  </Text>
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <BlockStack gap="050" inlineAlign="start">
                  <Badge tone={STATUS_TONE[g.status]}>{t(locale, `rewards.status.${g.status}`)}</Badge>
                  {g.status === "failed" && g.error ? (
                    <Text as="span" variant="bodySm" tone="critical">
                      {g.error}
                    </Text>
                  ) : null}
                </BlockStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" fontWeight="medium">
                  {g.code ?? "—"}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>{g.orderName ?? g.orderGid.split("/").pop()}</IndexTable.Cell>
              <IndexTable.Cell>
                <BlockStack gap="050">
                  <Text as="span" variant="bodySm">
                    {t(locale, "rewards.grants.createdAt", { date: day(g.createdAt) })}
                  </Text>
                  {g.redeemedAt ? (
                    <Text as="span" variant="bodySm">
                      {t(locale, "rewards.grants.redeemedAt", { date: day(g.redeemedAt) })}
                    </Text>
                  ) : g.revokedAt ? (
                    <Text as="span" variant="bodySm">
                      {t(locale, "rewards.grants.revokedAt", { date: day(g.revokedAt) })}
                    </Text>
                  ) : g.expiresAt ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {t(locale, "rewards.grants.expiresAt", { date: day(g.expiresAt) })}
                    </Text>
                  ) : null}
                </BlockStack>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </BlockStack>
    </Card>
  );
}

/** The calendar day in UTC: the same text on the server and in the browser (no hydration drift). */
const day = (iso: string) => iso.slice(0, 10);

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        {value}
      </Text>
    </BlockStack>
  );
}
