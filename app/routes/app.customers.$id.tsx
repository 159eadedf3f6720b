import { useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, isRouteErrorResponse, useFetcher, useLoaderData, useRouteError } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  FormLayout,
  InlineGrid,
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
import { dayIn } from "../domain/customer-filter";
import { NOTE_CATEGORIES, parseNote } from "../domain/customer-notes";
import type { FieldErrors } from "../domain/form-input";
import { displayMoney } from "../domain/money";
import { countryName, regionName } from "../domain/prefectures";
import { readJsonBody } from "../lib/json-body.server";
import { localeFromRequest, t, type Locale } from "../locales";
import { addNote, deleteNote, updateNote, type CustomerNoteView } from "../models/customer-note.server";
import { customerDetail, customerIdFor, type TimelineEvent } from "../services/customers/customer-detail.server";
import { authorLabel, customerName, segmentLabel } from "../services/customers/labels";
import { authenticate } from "../shopify.server";

/**
 * /app/customers/<Shopify customer id> (the number in gid://shopify/Customer/<id>, as in
 * Shopify's own admin URL). Another shop's customer, or a redacted one, is a 404.
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const locale = localeFromRequest(request);
  const customer = await customerDetail(db.prisma, session.shop, params.id ?? "", locale);
  if (!customer) throw json({ locale }, { status: 404 });
  return json({ locale, customer });
};

const noteFields = { category: z.string().max(50), body: z.string().max(20_000) };
const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("addNote"), ...noteFields }),
  z.object({ intent: z.literal("editNote"), noteId: z.number().int().positive(), ...noteFields }),
  z.object({ intent: z.literal("deleteNote"), noteId: z.number().int().positive() }),
]);

type ActionData = { ok: true; intent: "addNote" | "editNote" | "deleteNote" } | { ok: false; errors: FieldErrors };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const context = await authenticate.admin(request);
  const { session } = context;
  const { db } = await appContext();
  const input = await readJsonBody(request, body);
  const customerId = await customerIdFor(db.prisma, session.shop, params.id ?? "");
  if (customerId === null) throw new Response("Not found", { status: 404 });
  if (input.intent === "deleteNote") {
    const deleted = await deleteNote(db.prisma, session.shop, customerId, input.noteId);
    if (!deleted) return json<ActionData>({ ok: false, errors: { note: gone } }, { status: 404 });
    return json<ActionData>({ ok: true, intent: input.intent });
  }
  const note = parseNote(input);
  if (!note.ok) return json<ActionData>({ ok: false, errors: note.errors }, { status: 422 });
  if (input.intent === "addNote") {
    const sub = (context as { sessionToken?: { sub?: unknown } }).sessionToken?.sub;
    await addNote(db.prisma, session.shop, customerId, note.value, await authorOf(session, typeof sub === "string" ? sub : null));
    return json<ActionData>({ ok: true, intent: input.intent });
  }
  const updated = await updateNote(db.prisma, session.shop, customerId, input.noteId, note.value);
  if (!updated) return json<ActionData>({ ok: false, errors: { note: gone } }, { status: 404 });
  return json<ActionData>({ ok: true, intent: input.intent });
};

const gone = { en: "That note no longer exists.", ja: "そのメモはもうありません。" };

/**
 * Who wrote a note: the staff member's name when Shopify told us (an online session), otherwise
 * the session token's user id — the app uses offline tokens, which name no person.
 */
async function authorOf(session: { onlineAccessInfo?: { associated_user?: { first_name?: string; last_name?: string; email?: string } } }, sub: string | null) {
  const user = session.onlineAccessInfo?.associated_user;
  const name = user ? [user.first_name, user.last_name].filter(Boolean).join(" ") || user.email : undefined;
  if (name) return name.slice(0, 200);
  return sub && /^\d{1,20}$/.test(sub) ? `staff:${sub}` : null;
}

export default function CustomerPage() {
  const { locale, customer: c } = useLoaderData<typeof loader>();
  const money = (minor: string, currency = c.currency) => displayMoney(BigInt(minor), currency, locale);
  const day = (iso: string | null) => (iso ? dayIn(new Date(iso), c.timeZone) : "—");
  const name = customerName(locale, c) || c.email || t(locale, "customers.table.noName");
  const region = [c.provinceCode ? regionName(c.provinceCode, locale) : null, c.countryCode ? countryName(c.countryCode, locale) : null].filter(Boolean).join(", ");

  const nextText = (() => {
    if (!c.next) return null;
    const orders = c.next.ordersToNext !== null && c.next.ordersToNext > 0 ? t(locale, "customers.detail.nextOrders", { count: c.next.ordersToNext }) : null;
    const amount = c.next.amountToNext !== null && c.next.amountToNext !== "0" ? t(locale, "customers.detail.nextAmount", { amount: money(c.next.amountToNext) }) : null;
    return orders && amount ? t(locale, "customers.detail.nextAny", { a: orders, b: amount }) : (orders ?? amount);
  })();

  return (
    <Page backAction={{ content: t(locale, "customers.detail.back"), url: "/app/customers" }}>
      <TitleBar title={name} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <InlineStack align="space-between" blockAlign="start">
                <BlockStack gap="100">
                  <Text as="h1" variant="headingLg">
                    {name}
                  </Text>
                  {c.email ? (
                    <Text as="p" tone="subdued">
                      {c.email}
                    </Text>
                  ) : null}
                  {region ? (
                    <Text as="p" tone="subdued">
                      {region}
                    </Text>
                  ) : null}
                </BlockStack>
                <BlockStack gap="100" inlineAlign="end">
                  <Badge tone={c.rank ? "success" : undefined} size="large">
                    {c.rank ? c.rank.label : t(locale, "customers.detail.noRank")}
                  </Badge>
                  {c.rank && c.rankSince ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {t(locale, "customers.detail.rankSince", { date: day(c.rankSince) })}
                    </Text>
                  ) : null}
                </BlockStack>
              </InlineStack>
              <InlineGrid columns={{ xs: 2, md: 5 }} gap="400">
                <Figure label={t(locale, "customers.detail.orders")} value={String(c.orderCount)} />
                <Figure label={t(locale, "customers.detail.lifetime")} value={money(c.lifetimeSpent)} />
                <Figure label={t(locale, "customers.detail.window", { months: c.windowMonths })} value={money(c.windowSpent)} />
                <Figure label={t(locale, "customers.detail.firstOrder")} value={day(c.firstOrderAt)} />
                <Figure label={t(locale, "customers.detail.lastOrder")} value={day(c.lastOrderAt)} />
              </InlineGrid>
              <Divider />
              {c.next ? (
                <BlockStack gap="200">
                  <InlineStack align="space-between">
                    <Text as="span" fontWeight="medium">
                      {t(locale, "customers.detail.next", { rank: c.next.label })}
                    </Text>
                    <Text as="span" tone="subdued">
                      {nextText}
                    </Text>
                  </InlineStack>
                  <ProgressBar progress={c.next.percent} size="small" tone="highlight" />
                </BlockStack>
              ) : (
                <Text as="p" tone="success">
                  {t(locale, "customers.detail.top")}
                </Text>
              )}
              <InlineStack gap="400">
                {c.rfmSegment ? (
                  <Text as="span" tone="subdued">
                    {t(locale, "customers.detail.segment")}: {segmentLabel(locale, c.rfmSegment)}
                  </Text>
                ) : null}
                {c.tags ? (
                  <InlineStack gap="100" blockAlign="center">
                    <Text as="span" tone="subdued">
                      {t(locale, "customers.detail.tags")}:
                    </Text>
                    {c.tags
                      .split(",")
                      .map((tag) => tag.trim())
                      .filter(Boolean)
                      .map((tag) => (
                        <Badge key={tag}>{tag}</Badge>
                      ))}
                  </InlineStack>
                ) : null}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <NewNoteCard locale={locale} />
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t(locale, "customers.detail.timeline")}
              </Text>
              {c.timeline.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t(locale, "customers.detail.timelineEmpty")}
                </Text>
              ) : (
                <BlockStack gap="0">
                  {c.timeline.map((event) => (
                    <Box key={event.id} paddingBlock="300" borderBlockEndWidth="025" borderColor="border-secondary">
                      <TimelineItem event={event} locale={locale} day={(iso) => dayTime(iso, c.timeZone)} money={money} />
                    </Box>
                  ))}
                </BlockStack>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** Date and time in the shop's time zone, the same text on server and browser. */
function dayTime(iso: string, timeZone: string): string {
  const at = new Date(iso);
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  return `${dayIn(at, timeZone)} ${time}`;
}

function TimelineItem(props: { event: TimelineEvent; locale: Locale; day: (iso: string) => string; money: (minor: string, currency?: string) => string }) {
  const { event: e, locale, money } = props;
  const when = (
    <Text as="span" variant="bodySm" tone="subdued">
      {props.day(e.at)}
    </Text>
  );
  switch (e.kind) {
    case "order":
      return (
        <BlockStack gap="100">
          <InlineStack align="space-between">
            <InlineStack gap="200" blockAlign="center">
              <Badge tone="info">{t(locale, "customers.timeline.order", { name: e.name })}</Badge>
              {e.cancelled ? <Badge tone="critical">{t(locale, "customers.timeline.cancelled")}</Badge> : null}
              <Text as="span" fontWeight="semibold">
                {money(e.total, e.currency)}
              </Text>
              {e.currentTotal !== e.total && !e.cancelled ? (
                <Text as="span" tone="subdued">
                  {t(locale, "customers.timeline.afterRefunds", { amount: money(e.currentTotal, e.currency) })}
                </Text>
              ) : null}
            </InlineStack>
            {when}
          </InlineStack>
          {e.lines.map((l, i) => (
            <Text as="p" variant="bodySm" key={i}>
              {l.title} × {l.quantity} · {money(l.unitPrice, e.currency)}
              {l.sku ? ` · ${l.sku}` : ""}
            </Text>
          ))}
        </BlockStack>
      );
    case "refund":
      return (
        <InlineStack align="space-between">
          <InlineStack gap="200">
            <Badge tone="warning">{t(locale, "customers.timeline.refund", { amount: money(e.amount, e.currency), order: e.orderName })}</Badge>
          </InlineStack>
          {when}
        </InlineStack>
      );
    case "rank":
      return (
        <InlineStack align="space-between">
          <BlockStack gap="050">
            <InlineStack gap="200">
              <Badge tone={e.direction === "up" ? "success" : e.direction === "down" ? "attention" : undefined}>
                {t(locale, "customers.timeline.rank", { from: e.from ?? t(locale, "customers.timeline.rankNone"), to: e.to ?? t(locale, "customers.timeline.rankNone") })}
              </Badge>
            </InlineStack>
            <Text as="span" variant="bodySm" tone="subdued">
              {e.reason}
            </Text>
          </BlockStack>
          {when}
        </InlineStack>
      );
    case "reward":
      return (
        <InlineStack align="space-between">
          <InlineStack gap="200" blockAlign="center">
            <Badge tone={e.event === "redeemed" ? "success" : e.event === "failed" ? "critical" : e.event === "revoked" ? undefined : "magic"}>
              {t(locale, `customers.timeline.reward.${e.event}`, { milestone: e.milestoneKey })}
            </Badge>
            {e.code ? <Text as="span">{t(locale, "customers.timeline.reward.code", { code: e.code })}</Text> : null}
          </InlineStack>
          {when}
        </InlineStack>
      );
    case "message":
      return (
        <InlineStack align="space-between">
          <Text as="span">
            {t(locale, "customers.timeline.message", {
              rank: e.rank ?? "—",
              surface: t(locale, `customers.timeline.surface.${e.surface}`),
              order: e.orderName,
            })}
          </Text>
          {when}
        </InlineStack>
      );
    case "note":
      return <NoteItem note={e.note} locale={locale} when={when} day={props.day} />;
    case "survey":
      return (
        <BlockStack gap="100">
          <InlineStack align="space-between">
            <InlineStack gap="200" blockAlign="center">
              <Badge tone="magic">{t(locale, "survey.timeline")}</Badge>
              <Text as="span" variant="bodySm" tone="subdued">
                {t(locale, "survey.timeline.order", { order: e.orderName })}
              </Text>
            </InlineStack>
            {when}
          </InlineStack>
          <Text as="p">
            {e.question ? `${e.question} ` : ""}
            {e.choice ? <Text as="span" fontWeight="semibold">{e.choice}</Text> : null}
          </Text>
          {/* The customer's own words, as text (React escapes it). */}
          {e.freeText ? (
            <Text as="p">
              <span style={{ whiteSpace: "pre-wrap" }}>{e.freeText}</span>
            </Text>
          ) : null}
        </BlockStack>
      );
  }
}

function NoteItem({ note, locale, when, day }: { note: CustomerNoteView; locale: Locale; when: JSX.Element; day: (iso: string) => string }) {
  const fetcher = useFetcher<ActionData>();
  const [editing, setEditing] = useState(false);
  const [category, setCategory] = useState(note.category);
  const [text, setText] = useState(note.body);
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data.errors : undefined;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setEditing(false);
  }, [fetcher.state, fetcher.data]);
  const author = authorLabel(locale, note.author);
  const submit = (payload: Record<string, string | number>) => fetcher.submit(payload, { method: "post", encType: "application/json" });

  if (editing) {
    return (
      <BlockStack gap="200">
        <NoteFields locale={locale} category={category} body={text} onCategory={setCategory} onBody={setText} errors={errors} />
        <InlineStack gap="200">
          <Button variant="primary" loading={fetcher.state !== "idle"} onClick={() => submit({ intent: "editNote", noteId: note.id, category, body: text })}>
            {t(locale, "customers.notes.save")}
          </Button>
          <Button onClick={() => setEditing(false)}>{t(locale, "customers.notes.cancel")}</Button>
        </InlineStack>
      </BlockStack>
    );
  }
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between">
        <InlineStack gap="200" blockAlign="center">
          <Badge tone={note.category === "complaint" ? "critical" : note.category === "praise" ? "success" : "attention"}>
            {t(locale, "customers.timeline.note", { category: t(locale, `customers.note.category.${note.category}`) })}
          </Badge>
          {author ? (
            <Text as="span" variant="bodySm" tone="subdued">
              {t(locale, "customers.timeline.by", { author })}
            </Text>
          ) : null}
          {note.updatedAt.slice(0, 19) !== note.createdAt.slice(0, 19) ? (
            <Text as="span" variant="bodySm" tone="subdued">
              {t(locale, "customers.timeline.edited", { date: day(note.updatedAt) })}
            </Text>
          ) : null}
        </InlineStack>
        {when}
      </InlineStack>
      <Text as="p">
        <span style={{ whiteSpace: "pre-wrap" }}>{note.body}</span>
      </Text>
      {errorFor(errors, "note", locale) ? (
        <Text as="p" tone="critical">
          {errorFor(errors, "note", locale)}
        </Text>
      ) : null}
      <InlineStack gap="200">
        <Button variant="plain" onClick={() => setEditing(true)}>
          {t(locale, "customers.notes.edit")}
        </Button>
        <Button variant="plain" tone="critical" loading={fetcher.state !== "idle"} onClick={() => submit({ intent: "deleteNote", noteId: note.id })}>
          {t(locale, "customers.notes.delete")}
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

function NoteFields(props: { locale: Locale; category: string; body: string; onCategory: (v: string) => void; onBody: (v: string) => void; errors: FieldErrors | undefined }) {
  const { locale } = props;
  return (
    <FormLayout>
      <Select
        label={t(locale, "customers.notes.category")}
        options={NOTE_CATEGORIES.map((c) => ({ label: t(locale, `customers.note.category.${c}`), value: c }))}
        value={props.category}
        onChange={props.onCategory}
        error={errorFor(props.errors, "category", locale)}
      />
      <TextField
        label={t(locale, "customers.notes.body")}
        multiline={4}
        autoComplete="off"
        value={props.body}
        onChange={props.onBody}
        error={errorFor(props.errors, "body", locale)}
      />
    </FormLayout>
  );
}

function NewNoteCard({ locale }: { locale: Locale }) {
  const fetcher = useFetcher<ActionData>();
  const [category, setCategory] = useState<string>("request");
  const [text, setText] = useState("");
  const [saved, setSaved] = useState(false);
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data.errors : undefined;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      setText("");
      setSaved(true);
    }
  }, [fetcher.state, fetcher.data]);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t(locale, "customers.notes.title")}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {t(locale, "customers.notes.description")}
        </Text>
        {saved && !errors ? (
          <Banner tone="success" onDismiss={() => setSaved(false)}>
            <p>{t(locale, "customers.notes.saved")}</p>
          </Banner>
        ) : null}
        <NoteFields
          locale={locale}
          category={category}
          body={text}
          onCategory={setCategory}
          onBody={(v) => {
            setSaved(false);
            setText(v);
          }}
          errors={errors}
        />
        <InlineStack>
          <Button
            variant="primary"
            loading={fetcher.state !== "idle"}
            onClick={() => fetcher.submit({ intent: "addNote", category, body: text }, { method: "post", encType: "application/json" })}
          >
            {t(locale, "customers.notes.add")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingMd">
        {value}
      </Text>
    </BlockStack>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    const locale: Locale = (error.data as { locale?: Locale } | null)?.locale === "ja" ? "ja" : "en";
    return (
      <Page>
        <Banner tone="warning" title={t(locale, "customers.detail.notFound")}>
          <Link to="/app/customers">{t(locale, "customers.detail.back")}</Link>
        </Banner>
      </Page>
    );
  }
  throw error;
}
