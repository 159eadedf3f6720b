import { useEffect } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, List, Page, ProgressBar, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import { appContext } from "../context.server";
import { backfillPercent, isActiveStatus, parseBackfillError } from "../domain/backfill-progress";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { checkAllOrdersScope, loadBackfillPage, startBackfill, type BackfillPage } from "../services/backfill-page.server";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const { db } = await appContext();
  const scope = await checkAllOrdersScope(session.scope, admin.graphql as AdminGraphql);
  return json({ locale: localeFromRequest(request), ...(await loadBackfillPage(db, session.shop, scope)) });
};

const body = z.object({ intent: z.enum(["start", "retry"]) });

export type BackfillActionData = { ok: true; runId: number } | { ok: false; runId: number; message: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const { db, queue } = await appContext();
  await readJsonBody(request, body);
  const scope = await checkAllOrdersScope(session.scope, admin.graphql as AdminGraphql);
  const result = await startBackfill(db, queue, session.shop, scope);
  if (!result.ok) {
    const message = t(localeFromRequest(request), "backfill.alreadyRunning", { id: result.runId });
    return json<BackfillActionData>({ ok: false, runId: result.runId, message }, { status: 409 });
  }
  return json<BackfillActionData>({ ok: true, runId: result.runId });
};

type Run = BackfillPage["runs"][number];

const number = (n: number) => n.toLocaleString("en-US");

export default function Backfill() {
  const { locale, scope, runs } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<BackfillActionData>();
  const { revalidate } = useRevalidator();
  const latest = runs[0] ?? null;
  const active = latest !== null && isActiveStatus(latest.status);
  const submitting = fetcher.state !== "idle";

  // While an import runs, fetch its progress every two seconds.
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(revalidate, 2000);
    return () => clearTimeout(timer);
  }, [active, latest, revalidate]);

  const start = (intent: "start" | "retry") => fetcher.submit({ intent }, { method: "post", encType: "application/json" });
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;

  return (
    <Page>
      <TitleBar title={t(locale, "backfill.title")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t(locale, "backfill.intro.heading")}
              </Text>
              <Text as="p">{t(locale, "backfill.intro.what")}</Text>
              <Text as="p">{t(locale, "backfill.intro.safe")}</Text>
              <Text as="p" tone="subdued">
                {t(locale, "backfill.intro.background")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <ScopeNotice locale={locale} granted={scope.granted} />
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t(locale, "backfill.current.heading")}
                </Text>
                <Button variant="primary" onClick={() => start("start")} loading={submitting} disabled={active || submitting}>
                  {t(locale, "backfill.start")}
                </Button>
              </InlineStack>
              {answer && !answer.ok ? (
                <Banner tone="warning">
                  <p>{answer.message}</p>
                </Banner>
              ) : null}
              {answer?.ok && active ? (
                <Banner tone="info">
                  <p>{t(locale, "backfill.started")}</p>
                </Banner>
              ) : null}
              {latest ? (
                <RunProgress locale={locale} run={latest} onRetry={() => start("retry")} busy={submitting} />
              ) : (
                <Text as="p" tone="subdued">
                  {t(locale, "backfill.current.none")}
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        {runs.length > 0 ? (
          <Layout.Section>
            <Card padding="0">
              <BlockStack gap="0">
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="h2" variant="headingMd">
                    {t(locale, "backfill.runs.heading")}
                  </Text>
                </div>
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "text"]}
                  headings={[
                    t(locale, "backfill.runs.started"),
                    t(locale, "backfill.runs.status"),
                    t(locale, "backfill.runs.customers"),
                    t(locale, "backfill.runs.orders"),
                    t(locale, "backfill.runs.badLines"),
                    t(locale, "backfill.runs.result"),
                  ]}
                  rows={runs.map((run) => [
                    run.startedLabel,
                    t(locale, `backfill.status.${run.status}`),
                    number(run.customersImported),
                    number(run.ordersImported),
                    number(run.badLines),
                    resultText(locale, run),
                  ])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

function ScopeNotice({ locale, granted }: { locale: Locale; granted: boolean | null }) {
  if (granted === true) {
    return (
      <Banner tone="success" title={t(locale, "backfill.scope.heading")}>
        <p>{t(locale, "backfill.scope.granted")}</p>
      </Banner>
    );
  }
  if (granted === null) {
    return (
      <Banner tone="info" title={t(locale, "backfill.scope.heading")}>
        <p>{t(locale, "backfill.scope.unknown")}</p>
      </Banner>
    );
  }
  return (
    <Banner tone="warning" title={t(locale, "backfill.scope.missing")}>
      <BlockStack gap="200">
        <p>{t(locale, "backfill.scope.missingBody")}</p>
        <p>{t(locale, "backfill.scope.publicApp")}</p>
      </BlockStack>
    </Banner>
  );
}

function resultText(locale: Locale, run: Run): string {
  if (isActiveStatus(run.status)) return t(locale, "backfill.runs.running");
  const error = parseBackfillError(run.error);
  if (error) return t(locale, `backfill.error.${error.code}`);
  return run.status === "done" ? t(locale, "backfill.runs.ok") : t(locale, `backfill.status.${run.status}`);
}

function phaseText(locale: Locale, run: Run): string {
  const vars = { objects: number(run.objectCount), lines: number(run.linesDone), finished: run.finishedLabel };
  switch (run.status) {
    case "queued":
      return t(locale, "backfill.phase.queued");
    case "customers":
      return t(locale, run.downloading ? "backfill.phase.customersImport" : "backfill.phase.customersExport", vars);
    case "orders":
      return t(locale, "backfill.phase.ordersExport", vars);
    case "importing":
      return t(locale, "backfill.phase.ordersImport", vars);
    case "recomputing":
      return t(locale, "backfill.phase.recomputing");
    case "done":
      return t(locale, "backfill.phase.done", vars);
    case "failed":
    case "cancelled":
      return t(locale, "backfill.phase.failed", vars);
  }
}

function RunProgress({ locale, run, onRetry, busy }: { locale: Locale; run: Run; onRetry: () => void; busy: boolean }) {
  const active = isActiveStatus(run.status);
  const error = parseBackfillError(run.error);
  const tone = { done: "success", failed: "critical", cancelled: "warning" } as const;
  const badgeTone = active ? "attention" : tone[run.status as keyof typeof tone];
  return (
    <BlockStack gap="300">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          #{run.id}
        </Text>
        <Badge tone={badgeTone}>{t(locale, `backfill.status.${run.status}`)}</Badge>
      </InlineStack>
      <ProgressBar
        progress={backfillPercent(run)}
        tone={run.status === "failed" ? "critical" : run.status === "done" ? "success" : "highlight"}
        animated={active}
      />
      <Text as="p">{phaseText(locale, run)}</Text>
      <Text as="p" tone="subdued">
        {t(locale, "backfill.counts", { customers: number(run.customersImported), orders: number(run.ordersImported), bad: number(run.badLines) })}
      </Text>
      {run.allOrdersScope === false ? (
        <Text as="p" tone="caution">
          {t(locale, "backfill.scopeLimited")}
        </Text>
      ) : null}
      {error ? (
        <Banner tone={active ? "info" : "critical"}>
          <BlockStack gap="100">
            <p>{t(locale, `backfill.error.${error.code}`)}</p>
            {error.detail ? (
              <Text as="p" tone="subdued">
                {t(locale, "backfill.error.detail", { detail: error.detail })}
              </Text>
            ) : null}
          </BlockStack>
        </Banner>
      ) : null}
      {run.badLineSamples.length > 0 ? (
        <BlockStack gap="100">
          <Text as="p" variant="headingSm">
            {t(locale, "backfill.badLines.heading")}
          </Text>
          <List type="bullet">
            {run.badLineSamples.map((sample, i) => (
              <List.Item key={i}>{sample}</List.Item>
            ))}
          </List>
        </BlockStack>
      ) : null}
      {run.status === "failed" || run.status === "cancelled" ? (
        <InlineStack>
          <Button onClick={onRetry} loading={busy}>
            {t(locale, "backfill.retry")}
          </Button>
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
