import type { ReactNode } from "react";
import { Badge, BlockStack, Box, Card, InlineStack, Text } from "@shopify/polaris";

/**
 * One block of the dashboard: a title, what the figure means (always visible, so a merchant
 * never has to hover to learn it), which customers/orders it covers, then the figure.
 */
export function FigureCard(props: { id: string; title: string; help: string; scope: string; note?: ReactNode; children: ReactNode }) {
  const headingId = `dashboard-${props.id}-title`;
  return (
    <section aria-labelledby={headingId} data-figure={props.id}>
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <InlineStack align="space-between" blockAlign="center" gap="200" wrap>
              <Text as="h2" variant="headingMd" id={headingId}>
                {props.title}
              </Text>
              <Badge>{props.scope}</Badge>
            </InlineStack>
            <Text as="p" tone="subdued">
              {props.help}
            </Text>
            {props.note ? <Box>{props.note}</Box> : null}
          </BlockStack>
          {props.children}
        </BlockStack>
      </Card>
    </section>
  );
}

/** A single number with its label, help text and the counts behind it. */
export function StatTile(props: { id: string; label: string; value: string; detail?: string; help: string }) {
  return (
    <Box background="bg-surface-secondary" padding="300" borderRadius="200" minHeight="100%">
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {props.label}
        </Text>
        <div data-stat={props.id}>
          <Text as="p" variant="headingXl">
            {props.value}
          </Text>
        </div>
        {props.detail ? (
          <Text as="p" variant="bodySm">
            {props.detail}
          </Text>
        ) : null}
        <Text as="p" variant="bodySm" tone="subdued">
          {props.help}
        </Text>
      </BlockStack>
    </Box>
  );
}
