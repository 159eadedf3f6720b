import { useEffect, useMemo, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useNavigate, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  ChoiceList,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import { errorFor } from "../components/field-errors";
import { appContext } from "../context.server";
import {
  NOTE_CATEGORIES,
  NO_RANK,
  SORT_KEYS,
  dayIn,
  filterParams,
  parseCustomerQuery,
  withListParams,
  type CustomerFilter,
  type SortKey,
} from "../domain/customer-filter";
import type { FieldErrors } from "../domain/form-input";
import { displayMoney } from "../domain/money";
import { PREFECTURES, countryName, regionName } from "../domain/prefectures";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { customerListOptions, customerListPage, type CustomerListRow } from "../services/customers/customer-list.server";
import { customerName, segmentLabel } from "../services/customers/labels";
import { recentTagSyncRuns, startTagSync, type TagSyncRunView } from "../services/customers/tag-sync.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const url = new URL(request.url);
  const query = parseCustomerQuery(url.searchParams);
  const [page, options, runs] = await Promise.all([
    customerListPage(db.prisma, session.shop, query),
    customerListOptions(db.prisma, session.shop, query.filter.country),
    recentTagSyncRuns(db, session.shop),
  ]);
  return json({
    locale: localeFromRequest(request),
    filter: query.filter,
    order: query.order,
    /** The applied filter and order as parameters: export link and tag sync use exactly these. */
    listParams: filterParams(query.filter, query.order).toString(),
    errors: query.errors,
    page,
    options,
    runs,
  });
};

const body = z.object({
  intent: z.literal("tagSync"),
  tag: z.string().max(2000),
  action: z.enum(["add", "remove"]),
  /** The list's search parameters, as the page shows them. */
  params: z.string().max(5000),
});

type ActionData = { ok: true; runId: number; total: number } | { ok: false; errors: FieldErrors };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db, queue } = await appContext();
  const input = await readJsonBody(request, body);
  const result = await startTagSync(db, queue, session.shop, { tag: input.tag, action: input.action, params: new URLSearchParams(input.params) });
  return json<ActionData>(result, { status: result.ok ? 200 : 422 });
};

/** The filter controls' text state (what the merchant types; the server validates). */
interface FilterForm {
  q: string;
  rank: string[];
  segment: string[];
  minOrders: string;
  maxOrders: string;
  lastFrom: string;
  lastTo: string;
  product: string;
  country: string;
  region: string;
  note: string;
}

const formOf = (f: CustomerFilter): FilterForm => ({
  q: f.terms.join(" "),
  rank: f.ranks,
  segment: f.segments,
  minOrders: f.minOrders === null ? "" : String(f.minOrders),
  maxOrders: f.maxOrders === null ? "" : String(f.maxOrders),
  lastFrom: f.lastOrderFrom ?? "",
  lastTo: f.lastOrderTo ?? "",
  product: f.product ? (f.product.kind === "gid" ? f.product.gid : f.product.text) : "",
  country: f.country ?? "",
  region: f.region ?? "",
  note: f.note ?? "",
});

function formParams(form: FilterForm): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form) as [keyof FilterForm, string | string[]][]) {
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else if (value.trim() !== "") params.set(key, value.trim());
  }
  return params;
}

export default function Customers() {
  const data = useLoaderData<typeof loader>();
  const { locale, page, options } = data;
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [form, setForm] = useState<FilterForm>(() => formOf(data.filter));
  // A new answer from the loader (back button, a link) shows its filter in the controls.
  useEffect(() => setForm(formOf(data.filter)), [data.listParams]); // eslint-disable-line react-hooks/exhaustive-deps

  const go = (next: URLSearchParams) => navigate(`?${withListParams(searchParams, next).toString()}`);
  const apply = () => {
    const next = formParams(form);
    next.set("sort", data.order.sort);
    next.set("dir", data.order.direction);
    go(next);
  };
  const clear = () => go(new URLSearchParams());
  const set = <K extends keyof FilterForm>(key: K, value: FilterForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const loading = navigation.state === "loading";

  const sortOptions = SORT_KEYS.flatMap((key) =>
    (["desc", "asc"] as const).map((dir) => ({ label: t(locale, `customers.sort.${dir}`, { field: t(locale, `customers.sort.${key}`) }), value: `${key}:${dir}` })),
  );
  const pageParams = (cursor: { after?: string; before?: string }) => {
    const next = new URLSearchParams(data.listParams);
    if (cursor.after) next.set("after", cursor.after);
    if (cursor.before) next.set("before", cursor.before);
    return next;
  };
  const rankLabel = (key: string | null) => {
    if (key === null) return null;
    const tier = options.ranks.find((r) => r.key === key);
    return tier ? (locale === "ja" ? tier.labelJa : tier.labelEn) : key;
  };
  const regionOptions =
    form.country === "JP"
      ? PREFECTURES.map((p) => ({ label: locale === "ja" ? p.ja : p.en, value: p.code }))
      : options.regions.map((code) => ({ label: regionName(code, locale), value: code }));
  const countries = [...new Set([...options.countries, ...(form.country ? [form.country] : []), "JP"])].sort();

  return (
    <Page fullWidth>
      <TitleBar title={t(locale, "customers.title")} />
      <Layout>
        {data.errors.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t(locale, "customers.filter.errors")}>
              <BlockStack gap="100">
                {data.errors.map((e, i) => (
                  <Text as="p" key={i}>
                    {e.message[locale]}
                  </Text>
                ))}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <form
              onSubmit={(event) => {
                event.preventDefault();
                apply();
              }}
            >
              <BlockStack gap="300">
                <InlineStack gap="300" blockAlign="end" wrap={false}>
                  <div style={{ flex: 1 }}>
                    <TextField
                      label={t(locale, "customers.search.label")}
                      placeholder={t(locale, "customers.search.placeholder")}
                      autoComplete="off"
                      value={form.q}
                      onChange={(q) => set("q", q)}
                      clearButton
                      onClearButtonClick={() => set("q", "")}
                    />
                  </div>
                  <Select
                    label={t(locale, "customers.sort.label")}
                    options={sortOptions}
                    value={`${data.order.sort}:${data.order.direction}`}
                    onChange={(value) => {
                      const [sort, dir] = value.split(":") as [SortKey, string];
                      const next = new URLSearchParams(data.listParams);
                      next.set("sort", sort);
                      next.set("dir", dir);
                      go(next);
                    }}
                  />
                </InlineStack>
                <FormLayout>
                  <FormLayout.Group condensed>
                    <ChoiceList
                      title={t(locale, "customers.filter.rank")}
                      allowMultiple
                      choices={[
                        ...options.ranks.map((r) => ({ label: locale === "ja" ? r.labelJa : r.labelEn, value: r.key })),
                        { label: t(locale, "customers.filter.noRank"), value: NO_RANK },
                      ]}
                      selected={form.rank}
                      onChange={(rank) => set("rank", rank)}
                    />
                    {options.segments.length > 0 || form.segment.length > 0 ? (
                      <ChoiceList
                        title={t(locale, "customers.filter.segment")}
                        allowMultiple
                        choices={[...new Set([...options.segments, ...form.segment])].map((s) => ({ label: segmentLabel(locale, s), value: s }))}
                        selected={form.segment}
                        onChange={(segment) => set("segment", segment)}
                      />
                    ) : null}
                    <BlockStack gap="200">
                      <TextField label={t(locale, "customers.filter.minOrders")} autoComplete="off" inputMode="numeric" value={form.minOrders} onChange={(v) => set("minOrders", v)} />
                      <TextField label={t(locale, "customers.filter.maxOrders")} autoComplete="off" inputMode="numeric" value={form.maxOrders} onChange={(v) => set("maxOrders", v)} />
                    </BlockStack>
                    <BlockStack gap="200">
                      <TextField label={t(locale, "customers.filter.lastFrom")} type="date" autoComplete="off" value={form.lastFrom} onChange={(v) => set("lastFrom", v)} />
                      <TextField label={t(locale, "customers.filter.lastTo")} type="date" autoComplete="off" value={form.lastTo} onChange={(v) => set("lastTo", v)} />
                    </BlockStack>
                  </FormLayout.Group>
                  <FormLayout.Group condensed>
                    <TextField
                      label={t(locale, "customers.filter.product")}
                      helpText={t(locale, "customers.filter.productHelp")}
                      autoComplete="off"
                      value={form.product}
                      onChange={(v) => set("product", v)}
                    />
                    <Select
                      label={t(locale, "customers.filter.country")}
                      options={[{ label: t(locale, "customers.filter.any"), value: "" }, ...countries.map((c) => ({ label: `${countryName(c, locale)} (${c})`, value: c }))]}
                      value={form.country}
                      onChange={(country) => setForm((f) => ({ ...f, country, region: "" }))}
                    />
                    <Select
                      label={t(locale, "customers.filter.region")}
                      disabled={form.country === ""}
                      options={[{ label: t(locale, "customers.filter.any"), value: "" }, ...regionOptions]}
                      value={form.region}
                      onChange={(v) => set("region", v)}
                    />
                    <Select
                      label={t(locale, "customers.filter.note")}
                      options={[
                        { label: t(locale, "customers.filter.any"), value: "" },
                        { label: t(locale, "customers.filter.hasAnyNote"), value: "any" },
                        ...NOTE_CATEGORIES.map((c) => ({
                          label: t(locale, "customers.filter.hasNote", { category: t(locale, `customers.note.category.${c}`) }),
                          value: c,
                        })),
                      ]}
                      value={form.note}
                      onChange={(v) => set("note", v)}
                    />
                  </FormLayout.Group>
                </FormLayout>
                <InlineStack gap="200">
                  <Button variant="primary" submit loading={loading}>
                    {t(locale, "customers.filter.apply")}
                  </Button>
                  <Button onClick={clear}>{t(locale, "customers.filter.clear")}</Button>
                </InlineStack>
              </BlockStack>
            </form>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-300) var(--p-space-400)" }}>
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t(locale, "customers.count", { count: page.total.toLocaleString(locale === "ja" ? "ja-JP" : "en-US") })}
                </Text>
                <ExportButton locale={locale} listParams={data.listParams} disabled={page.total === 0 || data.errors.length > 0} />
              </InlineStack>
            </div>
            <IndexTable
              resourceName={{ singular: t(locale, "customers.table.customer"), plural: t(locale, "customers.title") }}
              itemCount={page.rows.length}
              selectable={false}
              loading={loading}
              emptyState={
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="p" tone="subdued" alignment="center">
                    {t(locale, "customers.table.empty")}
                  </Text>
                </div>
              }
              headings={[
                { title: t(locale, "customers.table.customer") },
                { title: t(locale, "customers.table.rank") },
                { title: t(locale, "customers.table.orders"), alignment: "end" },
                { title: t(locale, "customers.table.spent"), alignment: "end" },
                { title: t(locale, "customers.table.lastOrder") },
                { title: t(locale, "customers.table.region") },
                { title: t(locale, "customers.table.segment") },
              ]}
              pagination={{
                hasPrevious: page.previous !== null,
                hasNext: page.next !== null,
                onPrevious: () => page.previous && go(pageParams({ before: page.previous })),
                onNext: () => page.next && go(pageParams({ after: page.next })),
                label: t(locale, "customers.table.pagination", { count: page.total.toLocaleString(locale === "ja" ? "ja-JP" : "en-US") }),
              }}
            >
              {page.rows.map((c, index) => (
                <CustomerRow key={c.shopifyId} c={c} index={index} locale={locale} currency={page.currency} timeZone={page.timeZone} rank={rankLabel(c.rankKey)} />
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <TagSyncCard locale={locale} total={page.total} listParams={data.listParams} runs={data.runs} blocked={data.errors.length > 0} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function CustomerRow(props: { c: CustomerListRow; index: number; locale: Locale; currency: string; timeZone: string; rank: string | null }) {
  const { c, locale } = props;
  const name = customerName(locale, c) || c.email || t(locale, "customers.table.noName");
  return (
    <IndexTable.Row id={c.shopifyId} position={props.index}>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Link to={`/app/customers/${c.shopifyId}`} data-testid="customer-link">
            <Text as="span" fontWeight="semibold">
              {name}
            </Text>
          </Link>
          {c.email ? (
            <Text as="span" variant="bodySm" tone="subdued">
              {c.email}
            </Text>
          ) : null}
          {c.noteCount > 0 ? (
            <Text as="span" variant="bodySm" tone="subdued">
              {t(locale, "customers.table.notes", { count: c.noteCount })}
            </Text>
          ) : null}
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>{props.rank ? <Badge>{props.rank}</Badge> : "—"}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {c.orderCount}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {displayMoney(BigInt(c.lifetimeSpent), props.currency, locale)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{c.lastOrderAt ? dayIn(new Date(c.lastOrderAt), props.timeZone) : "—"}</IndexTable.Cell>
      <IndexTable.Cell>{c.provinceCode ? regionName(c.provinceCode, locale) : (c.countryCode ?? "—")}</IndexTable.Cell>
      <IndexTable.Cell>{c.rfmSegment ? segmentLabel(locale, c.rfmSegment) : "—"}</IndexTable.Cell>
    </IndexTable.Row>
  );
}

/**
 * Downloads the CSV through fetch (inside the admin, App Bridge adds the session token to the
 * app's own fetches; a plain link would carry none), then saves the file from a Blob.
 */
function ExportButton({ locale, listParams, disabled }: { locale: Locale; listParams: string; disabled: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const params = new URLSearchParams(listParams);
      params.set("locale", locale);
      const response = await fetch(`/app/customers/export?${params.toString()}`);
      if (!response.ok) throw new Error((await response.text()) || `HTTP ${response.status}`);
      const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "customers.csv";
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(t(locale, "customers.export.failed", { error: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      {error ? (
        <Text as="span" tone="critical">
          {error}
        </Text>
      ) : null}
      <Button onClick={() => void download()} loading={busy} disabled={disabled} accessibilityLabel={t(locale, "customers.export.help")}>
        {t(locale, "customers.export.button")}
      </Button>
    </InlineStack>
  );
}

const RUN_TONE = { queued: "info", running: "attention", done: "success", failed: "critical" } as const;

function TagSyncCard(props: { locale: Locale; total: number; listParams: string; runs: TagSyncRunView[]; blocked: boolean }) {
  const { locale, runs } = props;
  const fetcher = useFetcher<ActionData>();
  const [tag, setTag] = useState("");
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data.errors : undefined;
  const busy = fetcher.state !== "idle";
  const submit = (action: "add" | "remove") =>
    fetcher.submit({ intent: "tagSync", tag, action, params: props.listParams }, { method: "post", encType: "application/json" });

  // While a run is under way, fetch its progress every second and a half.
  const { revalidate, state } = useRevalidator();
  const active = useMemo(() => runs.some((r) => r.status === "queued" || r.status === "running"), [runs]);
  useEffect(() => {
    if (!active || state !== "idle") return;
    const timer = setTimeout(revalidate, 1500);
    return () => clearTimeout(timer);
  }, [active, runs, state, revalidate]);

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t(locale, "customers.tags.title")}
        </Text>
        <Text as="p" tone="subdued">
          {t(locale, "customers.tags.description", { count: props.total.toLocaleString(locale === "ja" ? "ja-JP" : "en-US") })}
        </Text>
        {errorFor(errors, "filter", locale) ? (
          <Banner tone="critical">
            <p>{errorFor(errors, "filter", locale)}</p>
          </Banner>
        ) : null}
        {fetcher.data?.ok ? (
          <Banner tone="success">
            <p>{t(locale, "customers.tags.started", { total: fetcher.data.total })}</p>
          </Banner>
        ) : null}
        <InlineStack gap="300" blockAlign="end">
          <div style={{ minWidth: 280 }}>
            <TextField label={t(locale, "customers.tags.label")} autoComplete="off" value={tag} onChange={setTag} error={errorFor(errors, "tag", locale)} maxLength={255} />
          </div>
          <ButtonGroup>
            <Button onClick={() => submit("add")} disabled={busy || props.blocked || props.total === 0} loading={busy}>
              {t(locale, "customers.tags.add")}
            </Button>
            <Button onClick={() => submit("remove")} disabled={busy || props.blocked || props.total === 0} tone="critical">
              {t(locale, "customers.tags.remove")}
            </Button>
          </ButtonGroup>
        </InlineStack>
        {runs.length > 0 ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t(locale, "customers.tags.runs")}
            </Text>
            {runs.map((run) => {
              const handled = run.done + run.failed;
              const percent = run.total === 0 ? 100 : Math.min(100, Math.round((handled / run.total) * 100));
              return (
                <BlockStack gap="100" key={run.id}>
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="span" fontWeight="medium">
                      {t(locale, `customers.tags.run.${run.action}`, { tag: run.tag })}
                    </Text>
                    <Badge tone={RUN_TONE[run.status]}>{t(locale, `customers.tags.status.${run.status}`)}</Badge>
                  </InlineStack>
                  <ProgressBar progress={run.status === "done" ? 100 : percent} size="small" tone={run.status === "failed" ? "critical" : run.status === "done" ? "success" : "highlight"} />
                  <Text as="span" variant="bodySm" tone="subdued">
                    {t(locale, "customers.tags.run.counts", { done: run.done, total: run.total, failed: run.failed })}
                  </Text>
                  {run.error ? (
                    <Text as="span" variant="bodySm" tone={run.status === "failed" ? "critical" : "subdued"}>
                      {run.error}
                    </Text>
                  ) : null}
                </BlockStack>
              );
            })}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
