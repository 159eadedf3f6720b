/**
 * The period chooser. The choice lives in the URL (?period=90d, ?period=custom&from=…&to=…), so
 * a reload or a shared link shows the same period; the other parameters the admin put in the URL
 * (shop, host, locale, …) are kept.
 */
import { useEffect, useState } from "react";
import { useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { BlockStack, Button, InlineStack, Select, Spinner, Text, TextField } from "@shopify/polaris";
import { t, type Locale } from "../../locales";
import { formatDate } from "./format";
import { PERIOD_PRESETS, parseCalendarDate, type PeriodKind, type ResolvedPeriod } from "./period";

export function PeriodChooser({ period, locale }: { period: ResolvedPeriod; locale: Locale }) {
  const navigate = useNavigate();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const [kind, setKind] = useState<PeriodKind>(period.kind);
  const [from, setFrom] = useState(period.fromDate);
  const [to, setTo] = useState(period.toDate);
  // A new period from the server (navigation, back button) resets the form to it.
  useEffect(() => {
    setKind(period.kind);
    setFrom(period.fromDate);
    setTo(period.toDate);
  }, [period.kind, period.fromDate, period.toDate]);

  const go = (next: PeriodKind, range?: { from: string; to: string }) => {
    const search = new URLSearchParams(searchParams);
    search.set("period", next);
    search.delete("from");
    search.delete("to");
    if (range) {
      search.set("from", range.from);
      search.set("to", range.to);
    }
    navigate({ search: `?${search.toString()}` });
  };

  const fromError = parseCalendarDate(from) ? undefined : t(locale, "dashboard.period.dateInvalid");
  const toError = parseCalendarDate(to) ? undefined : t(locale, "dashboard.period.dateInvalid");
  const orderError = !fromError && !toError && from > to ? t(locale, "dashboard.period.fromAfterTo") : undefined;

  const options = [...PERIOD_PRESETS, "custom" as const].map((value) => ({ value, label: t(locale, `dashboard.period.${value}`) }));
  return (
    <BlockStack gap="300">
      <InlineStack gap="300" blockAlign="end" wrap>
        <div style={{ minWidth: 220 }}>
          <Select
            label={t(locale, "dashboard.period.label")}
            options={options}
            value={kind}
            onChange={(value) => {
              const next = value as PeriodKind;
              setKind(next);
              if (next !== "custom") go(next);
            }}
          />
        </div>
        {kind === "custom" ? (
          <>
            <TextField label={t(locale, "dashboard.period.from")} type="date" value={from} onChange={setFrom} autoComplete="off" error={fromError} />
            <TextField label={t(locale, "dashboard.period.to")} type="date" value={to} onChange={setTo} autoComplete="off" error={toError ?? orderError} />
            <Button onClick={() => go("custom", { from, to })} disabled={Boolean(fromError || toError || orderError)}>
              {t(locale, "dashboard.period.apply")}
            </Button>
          </>
        ) : null}
        {navigation.state === "loading" ? <Spinner size="small" accessibilityLabel={t(locale, "dashboard.period.loading")} /> : null}
      </InlineStack>
      <Text as="p" tone="subdued">
        {t(locale, "dashboard.period.showing", {
          from: formatDate(period.fromDate, locale),
          to: formatDate(period.toDate, locale),
          zone: period.timeZone,
        })}
      </Text>
    </BlockStack>
  );
}
