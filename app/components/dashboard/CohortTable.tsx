/**
 * Cohort retention: one row per first-purchase month, one column per month after it; each cell
 * is the share of the row's customers who ordered in that month, shaded by that share. A plain
 * HTML table (Polaris has no heat-map cell), styled with Polaris tokens, with a caption and
 * header cells so a screen reader reads "Oct 2025, +2 months: 30.0% (3 of 10)".
 */
import { Text } from "@shopify/polaris";
import type { CohortRow } from "../../domain/analytics/types";
import { t, type Locale } from "../../locales";
import { formatCount, formatMonth, formatPercent } from "./format";

const cell: React.CSSProperties = {
  padding: "var(--p-space-150) var(--p-space-200)",
  textAlign: "right",
  whiteSpace: "nowrap",
  fontVariantNumeric: "tabular-nums",
  borderBottom: "var(--p-border-width-025) solid var(--p-color-border-secondary)",
};

/** Darker green for higher retention; text turns white where the background gets dark. */
function shade(ratio: number): React.CSSProperties {
  const alpha = Math.min(1, Math.max(0, ratio)) * 0.85;
  return {
    background: `rgba(4, 123, 93, ${alpha.toFixed(3)})`,
    color: alpha > 0.45 ? "#fff" : "var(--p-color-text)",
  };
}

export function CohortTable({ rows, locale }: { rows: CohortRow[]; locale: Locale }) {
  const offsets = Math.max(0, ...rows.map((r) => r.retained.length));
  return (
    <div style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "collapse", width: "100%", fontSize: "var(--p-font-size-300)" }} data-figure-table="cohorts">
        <caption style={{ textAlign: "left", paddingBottom: "var(--p-space-200)" }}>
          <Text as="span" variant="bodySm" tone="subdued">
            {t(locale, "dashboard.cohorts.caption")}
          </Text>
        </caption>
        <thead>
          <tr>
            <th scope="col" style={{ ...cell, textAlign: "left" }}>
              {t(locale, "dashboard.cohorts.month")}
            </th>
            <th scope="col" style={cell}>
              {t(locale, "dashboard.cohorts.customers")}
            </th>
            {Array.from({ length: offsets }, (_, k) => (
              <th key={k} scope="col" style={cell}>
                {t(locale, "dashboard.cohorts.offset", { n: k + 1 })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.month}>
              <th scope="row" style={{ ...cell, textAlign: "left", fontWeight: 500 }}>
                {formatMonth(row.month, locale)}
              </th>
              <td style={cell}>{formatCount(row.customers, locale)}</td>
              {Array.from({ length: offsets }, (_, k) => {
                const retained = row.retained[k];
                if (retained === undefined) return <td key={k} style={cell} />;
                if (row.customers === 0) {
                  return (
                    <td key={k} style={cell}>
                      —
                    </td>
                  );
                }
                const ratio = retained / row.customers;
                return (
                  <td
                    key={k}
                    style={{ ...cell, ...shade(ratio) }}
                    title={t(locale, "dashboard.cohorts.cellTitle", { retained: formatCount(retained, locale), customers: formatCount(row.customers, locale) })}
                  >
                    {formatPercent(ratio, locale)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
