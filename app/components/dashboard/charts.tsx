/**
 * The dashboard's charts (@shopify/polaris-viz). Loaded only in the browser (ClientChart.tsx):
 * polaris-viz reads `window` while rendering, so it cannot run in the server render. Every chart
 * here is decoration over a table of the same numbers, which the page renders on the server for
 * screen readers and for a page that never hydrates.
 */
import { BarChart, FunnelChartNext, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import type { ReactNode } from "react";

export interface BarsProps {
  bars: { label: string; value: number }[];
  seriesName: string;
  horizontal?: boolean;
  /** How a value is written on the axis and in the tooltip. */
  format?: (value: number) => string;
}

function Viz({ children }: { children: ReactNode }) {
  return <PolarisVizProvider>{children}</PolarisVizProvider>;
}

const asNumber = (value: string | number | null) => (typeof value === "number" ? value : Number(value ?? 0));

export function Bars({ bars, seriesName, horizontal, format }: BarsProps) {
  const valueAxis = format ? { labelFormatter: (value: string | number | null) => format(asNumber(value)) } : {};
  return (
    <Viz>
      <BarChart
        theme="Light"
        direction={horizontal ? "horizontal" : "vertical"}
        showLegend={false}
        data={[{ name: seriesName, data: bars.map((b) => ({ key: b.label, value: b.value })) }]}
        // The value axis is x for horizontal bars, y otherwise.
        xAxisOptions={horizontal ? valueAxis : undefined}
        yAxisOptions={horizontal ? undefined : { integersOnly: !format, ...valueAxis }}
      />
    </Viz>
  );
}

export interface FunnelProps {
  steps: { label: string; value: number }[];
  seriesName: string;
  reachedLabel: string;
  droppedLabel: string;
  formatPercent: (ratio: number) => string;
}

export function Funnel({ steps, seriesName, reachedLabel, droppedLabel, formatPercent }: FunnelProps) {
  return (
    <Viz>
      <FunnelChartNext
        theme="Light"
        data={[{ name: seriesName, data: steps.map((s) => ({ key: s.label, value: s.value })) }]}
        tooltipLabels={{ reached: reachedLabel, dropped: droppedLabel }}
        percentageFormatter={(value) => formatPercent(value / 100)}
      />
    </Viz>
  );
}

export interface ParetoProps {
  /** (percent of customers, percent of revenue), 0–100 each. */
  points: { percent: number; share: number }[];
  curveName: string;
  equalName: string;
  /** The label of the mark at 20 % of customers. */
  top20Label: string;
  formatPercent: (ratio: number) => string;
}

export function ParetoCurve({ points, curveName, equalName, top20Label, formatPercent }: ParetoProps) {
  const percentLabel = (value: string | number | null) => formatPercent(asNumber(value) / 100);
  return (
    <Viz>
      <LineChart
        theme="Light"
        data={[
          { name: curveName, data: points.map((p) => ({ key: p.percent, value: p.share })) },
          // Every customer spending the same: the diagonal the curve is read against.
          {
            name: equalName,
            data: points.map((p) => ({ key: p.percent, value: p.percent })),
            isComparison: true,
          },
        ]}
        annotations={[{ axis: "x", startKey: 20, label: top20Label }]}
        xAxisOptions={{ labelFormatter: (value) => `${value}%` }}
        yAxisOptions={{ labelFormatter: percentLabel, maxYOverride: 100 }}
      />
    </Viz>
  );
}
