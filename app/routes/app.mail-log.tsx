import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Card, IndexTable, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { appContext } from "../context.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { ensureShop } from "../models/shop.server";
import { customerName } from "../services/customers/labels";
import { MAIL_SEND_STATUSES } from "../services/followup/send-log";
import { loadMailLog, mailLogQueryFromUrl } from "../services/followup-results/send-log.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  await ensureShop(db.prisma, session.shop);
  const locale = localeFromRequest(request);
  const query = mailLogQueryFromUrl(new URL(request.url));
  const log = await loadMailLog(db.prisma, session.shop, query);
  return json({
    locale,
    filters: { status: query.status ?? "", campaign: query.campaign ?? "" },
    total: log.total,
    next: log.next,
    previous: log.previous,
    timeZone: log.timeZone,
    campaigns: log.campaigns.map((c) => ({ value: c.key, label: c.label[locale] })),
    rows: log.rows.map((r) => ({
      id: r.id,
      customerId: r.customerId,
      customerName: r.customer.erased
        ? t(locale, "mailLog.customer.erased")
        : customerName(locale, r.customer) || r.customer.email || t(locale, "mailLog.customer.noName"),
      email: r.customer.erased ? null : r.customer.email,
      campaign: r.campaign[locale],
      step: r.step,
      status: r.status,
      scheduledFor: r.scheduledFor,
      sentAt: r.sentAt,
      attempts: r.attempts,
      error: r.error ? r.error[locale] : null,
    })),
  });
};

const STATUS_TONE: Record<string, "success" | "critical" | "attention" | "info" | undefined> = {
  sent: "success",
  failed: "critical",
  sending: "attention",
  scheduled: "info",
};

const statusLabel = (locale: Locale, status: string) => {
  const key = `mailLog.status.${status}`;
  const text = t(locale, key);
  return text === key ? status : text;
};

export default function MailLog() {
  const data = useLoaderData<typeof loader>();
  const { locale } = data;
  const navigate = useNavigate();
  const navigation = useNavigation();
  const go = (change: Record<string, string | number | null>) => {
    const params = new URLSearchParams();
    const next = { status: data.filters.status, campaign: data.filters.campaign, ...change };
    for (const [key, value] of Object.entries(next)) if (value !== null && value !== "") params.set(key, String(value));
    navigate(`?${params.toString()}`);
  };
  const number = (n: number) => n.toLocaleString(locale === "ja" ? "ja-JP" : "en-US");

  return (
    <Page>
      <TitleBar title={t(locale, "mailLog.title")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                {t(locale, "mailLog.intro", { timeZone: data.timeZone })}
              </Text>
              <InlineStack gap="400" wrap>
                <div style={{ minWidth: "14rem" }}>
                  <Select
                    label={t(locale, "mailLog.filter.status")}
                    options={[
                      { label: t(locale, "mailLog.filter.all"), value: "" },
                      ...MAIL_SEND_STATUSES.map((s) => ({ label: statusLabel(locale, s), value: s })),
                    ]}
                    value={data.filters.status}
                    onChange={(status) => go({ status })}
                  />
                </div>
                <div style={{ minWidth: "14rem" }}>
                  <Select
                    label={t(locale, "mailLog.filter.campaign")}
                    options={[
                      { label: t(locale, "mailLog.filter.all"), value: "" },
                      ...data.campaigns,
                      // A campaign in the URL that has no mails yet still shows as chosen.
                      ...(data.filters.campaign && !data.campaigns.some((c) => c.value === data.filters.campaign)
                        ? [{ label: data.filters.campaign, value: data.filters.campaign }]
                        : []),
                    ]}
                    value={data.filters.campaign}
                    onChange={(campaign) => go({ campaign })}
                  />
                </div>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-300) var(--p-space-400)" }}>
              <Text as="h2" variant="headingMd">
                {t(locale, "mailLog.count", { count: number(data.total) })}
              </Text>
            </div>
            <IndexTable
              resourceName={{ singular: t(locale, "mailLog.resource.one"), plural: t(locale, "mailLog.resource.many") }}
              itemCount={data.rows.length}
              selectable={false}
              loading={navigation.state === "loading"}
              emptyState={
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="p" tone="subdued" alignment="center">
                    {t(locale, "mailLog.empty")}
                  </Text>
                </div>
              }
              headings={[
                { title: t(locale, "mailLog.table.customer") },
                { title: t(locale, "mailLog.table.campaign") },
                { title: t(locale, "mailLog.table.status") },
                { title: t(locale, "mailLog.table.time") },
                { title: t(locale, "mailLog.table.attempts"), alignment: "end" },
                { title: t(locale, "mailLog.table.error") },
              ]}
              pagination={{
                hasPrevious: data.previous !== null,
                hasNext: data.next !== null,
                onPrevious: () => data.previous !== null && go({ before: data.previous }),
                onNext: () => data.next !== null && go({ after: data.next }),
              }}
            >
              {data.rows.map((r, index) => (
                <IndexTable.Row id={String(r.id)} key={r.id} position={index}>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      {r.customerId ? (
                        <Link to={`/app/customers/${r.customerId}`}>
                          <Text as="span" fontWeight="semibold">
                            {r.customerName}
                          </Text>
                        </Link>
                      ) : (
                        <Text as="span">{r.customerName}</Text>
                      )}
                      {r.email ? (
                        <Text as="span" variant="bodySm" tone="subdued">
                          {r.email}
                        </Text>
                      ) : null}
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Text as="span">{r.campaign}</Text>
                      <Text as="span" variant="bodySm" tone="subdued">
                        {t(locale, "mailLog.step", { n: r.step })}
                      </Text>
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={STATUS_TONE[r.status]}>{statusLabel(locale, r.status)}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Text as="span">{t(locale, "mailLog.time.scheduled", { time: r.scheduledFor })}</Text>
                      {r.sentAt ? (
                        <Text as="span" variant="bodySm" tone="subdued">
                          {t(locale, "mailLog.time.sent", { time: r.sentAt })}
                        </Text>
                      ) : null}
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {r.attempts}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {r.error ? (
                      <div style={{ whiteSpace: "normal", minWidth: "14rem", maxWidth: "22rem" }}>
                        <Text as="span" variant="bodySm" tone={r.status === "failed" ? "critical" : undefined}>
                          {r.error}
                        </Text>
                      </div>
                    ) : (
                      "—"
                    )}
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
