/**
 * Charts render only in the browser, after hydration: polaris-viz touches `window` while
 * rendering, and its code (with d3) is loaded on demand rather than with the page. Until then —
 * and for ever in the server render — a skeleton holds the chart's place. The chart is hidden
 * from screen readers: the table of the same numbers beside it is the text alternative.
 */
import { lazy, Suspense, useEffect, useState, type ComponentProps } from "react";
import { Box, SkeletonBodyText } from "@shopify/polaris";

const Bars = lazy(() => import("./charts").then((m) => ({ default: m.Bars })));
const Funnel = lazy(() => import("./charts").then((m) => ({ default: m.Funnel })));
const ParetoCurve = lazy(() => import("./charts").then((m) => ({ default: m.ParetoCurve })));

function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

function ChartFrame({ height, children }: { height: number; children: React.ReactNode }) {
  const hydrated = useHydrated();
  const placeholder = (
    <Box paddingBlockStart="200">
      <SkeletonBodyText lines={Math.max(3, Math.round(height / 40))} />
    </Box>
  );
  return (
    <div aria-hidden="true" data-chart="" style={{ height, position: "relative" }}>
      {hydrated ? <Suspense fallback={placeholder}>{children}</Suspense> : placeholder}
    </div>
  );
}

type Sized<T> = T & { height?: number };

export function BarsChart({ height = 260, ...props }: Sized<ComponentProps<typeof Bars>>) {
  return (
    <ChartFrame height={height}>
      <Bars {...props} />
    </ChartFrame>
  );
}

export function FunnelChart({ height = 280, ...props }: Sized<ComponentProps<typeof Funnel>>) {
  return (
    <ChartFrame height={height}>
      <Funnel {...props} />
    </ChartFrame>
  );
}

export function ParetoChart({ height = 280, ...props }: Sized<ComponentProps<typeof ParetoCurve>>) {
  return (
    <ChartFrame height={height}>
      <ParetoCurve {...props} />
    </ChartFrame>
  );
}
