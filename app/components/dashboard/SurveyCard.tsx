import { Badge, BlockStack, Box, Button, DataTable, InlineStack, Link, ProgressBar, Text } from "@shopify/polaris";
import { t, type Locale } from "../../locales";
import type { SurveyResults } from "../../services/survey-results.server";
import { FigureCard } from "./FigureCard";

/**
 * The post-purchase survey on the dashboard: answers to the current question in the chosen
 * period, counted per choice, and the latest answers in the customers' own words (お客様の声),
 * each linked to the customer. Free text is rendered as text (React escapes it).
 */
export function SurveyCard(props: { results: SurveyResults; locale: Locale; timeZone: string; settingsUrl?: string }) {
  const { results, locale, timeZone, settingsUrl = "/app/survey" } = props;
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `survey.card.${key}`, vars);
  if (results.status === "notSetUp") {
    return (
      <FigureCard id="survey" title={tr("title")} help={tr("notSetUp")} scope={t(locale, "dashboard.scope.period")}>
        <InlineStack>
          <Button url={settingsUrl}>{tr("setUp")}</Button>
        </InlineStack>
      </FigureCard>
    );
  }
  const dateTime = new Intl.DateTimeFormat(locale === "ja" ? "ja-JP" : "en-US", { dateStyle: "medium", timeStyle: "short", timeZone });
  return (
    <FigureCard
      id="survey"
      title={tr("title")}
      help={results.question}
      scope={t(locale, "dashboard.scope.period")}
      note={!results.enabled ? <Text as="p" tone="caution">{tr("off")}</Text> : undefined}
    >
      <BlockStack gap="400">
        <Text as="p" variant="headingSm">
          {results.total === 0 ? tr("none") : tr("total", { count: results.total.toLocaleString(locale === "ja" ? "ja-JP" : "en-US") })}
        </Text>
        {results.total > 0 ? (
          <DataTable
            columnContentTypes={["text", "numeric", "text"]}
            headings={[tr("choice"), tr("count"), tr("share")]}
            rows={results.rows.map((row) => [
              <InlineStack key="label" gap="200" blockAlign="center">
                <Text as="span">{row.label}</Text>
                {row.removed ? <Badge>{tr("removed")}</Badge> : null}
              </InlineStack>,
              row.count,
              <Box key="share" minWidth="140px">
                <InlineStack gap="200" blockAlign="center" wrap={false}>
                  <Box width="100px">
                    <ProgressBar progress={row.percent} size="small" />
                  </Box>
                  <Text as="span">{`${row.percent}%`}</Text>
                </InlineStack>
              </Box>,
            ])}
          />
        ) : null}
        {results.latestFreeText.length > 0 ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {tr("latest")}
            </Text>
            {results.latestFreeText.map((answer) => (
              <Box key={answer.id} padding="300" background="bg-surface-secondary" borderRadius="200">
                <BlockStack gap="100">
                  <Text as="p">
                    <span style={{ whiteSpace: "pre-wrap" }}>{answer.text}</span>
                  </Text>
                  <Text as="p" variant="bodySm" tone="subdued">
                    {[dateTime.format(new Date(answer.at)), answer.choice].filter(Boolean).join(" · ")}
                    {" · "}
                    {answer.customerId ? <Link url={`/app/customers/${answer.customerId}`}>{answer.customerName ?? answer.customerId}</Link> : tr("guest")}
                  </Text>
                </BlockStack>
              </Box>
            ))}
          </BlockStack>
        ) : null}
      </BlockStack>
    </FigureCard>
  );
}
