/** @jsxImportSource preact */
// The pragma keeps Preact's JSX when the root tsconfig (React) checks this file.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { configuredAppUrl, postPurchaseEndpoint } from "./app-url";
import { toDisplay, type Display, type DisplayReward } from "./display";
import { loadPostPurchase } from "./load";
import { pickLocale } from "./locale";
import type { Locale, PostPurchaseView } from "./post-purchase";
import type { SurveyOffer } from "./survey";

/** Keys every extension's locales/*.json must define (tests/extensions checks them). */
export const MESSAGE_KEYS = ["block.label", "reward.copy", "reward.copied", "reward.copyLabel", "reward.expires"] as const;
export type MessageKey = (typeof MESSAGE_KEYS)[number];
export type Translate = (key: MessageKey, replacements?: Record<string, string>) => string;

export interface PostPurchaseBlockProps {
  /** undefined until the host knows the order; nothing is fetched or shown before. */
  orderId: string | undefined;
  /** The shopper's language tag (localization.language). */
  language: string;
  timeZone?: string;
  getToken: () => Promise<string>;
  translate: Translate;
  /**
   * Lays out the survey the server offered, below the message (the thank-you extension passes
   * one; the order status page has no survey, and its bundle never includes the form).
   */
  renderSurvey?: (survey: SurveyOffer, context: { orderId: string; endpoint: string }) => ComponentChildren;
}

type Loaded = { status: "idle" } | { status: "loading" } | { status: "done"; view: PostPurchaseView | null };

const warn = (message: string, detail?: unknown) =>
  detail === undefined ? console.warn(message) : console.warn(message, detail);

function usePostPurchase(endpoint: string | null, orderId: string | undefined, locale: Locale, getToken: () => Promise<string>): Loaded {
  // The host may hand a new function each render; the request must not restart for it.
  const tokenRef = useRef(getToken);
  tokenRef.current = getToken;
  const active = endpoint !== null && orderId !== undefined && orderId !== "";
  const [state, setState] = useState<Loaded>(() => (active ? { status: "loading" } : { status: "idle" }));

  useEffect(() => {
    if (!active) {
      if (endpoint === null && orderId) warn("Tokui: no backend URL was built in (APP_URL); showing nothing");
      setState({ status: "idle" });
      return;
    }
    const controller = new AbortController();
    setState({ status: "loading" });
    void loadPostPurchase(
      endpoint,
      { orderId, locale },
      {
        fetch: (input, init) => fetch(input, init),
        getToken: () => tokenRef.current(),
        signal: controller.signal,
        warn,
      },
    ).then((view) => {
      if (!controller.signal.aborted) setState({ status: "done", view });
    });
    return () => controller.abort();
  }, [active, endpoint, orderId, locale]);

  return state;
}

/** The rank greeting, progress and this order's rewards; quiet (nothing) on any failure. */
export function PostPurchaseBlock(props: PostPurchaseBlockProps) {
  const locale = pickLocale(props.language);
  const endpoint = postPurchaseEndpoint(configuredAppUrl());
  const state = usePostPurchase(endpoint, props.orderId, locale, props.getToken);

  if (state.status === "loading") return <s-skeleton-paragraph />;
  if (state.status !== "done" || state.view === null) return null;
  const display = toDisplay(state.view, { language: props.language, timeZone: props.timeZone });
  const survey =
    state.view.survey && props.renderSurvey && props.orderId && endpoint ? props.renderSurvey(state.view.survey, { orderId: props.orderId, endpoint }) : null;
  if (display === null && survey === null) return null;
  return (
    <>
      {display !== null && <Block display={display} t={props.translate} />}
      {survey}
    </>
  );
}

function Block({ display, t }: { display: Display; t: Translate }) {
  return (
    <s-section accessibilityLabel={t("block.label")}>
      <s-stack gap="base">
        {display.rankLabel !== null && (
          <s-stack direction="inline">
            <s-badge>{display.rankLabel}</s-badge>
          </s-stack>
        )}
        {display.paragraphs.map((line, i) => (
          <s-paragraph key={i}>{line}</s-paragraph>
        ))}
        {display.progressText !== null && <s-text color="subdued">{display.progressText}</s-text>}
        {display.rewards.map((reward, i) => (
          <Reward key={i} reward={reward} id={`tokui-coupon-${i}`} t={t} />
        ))}
      </s-stack>
    </s-section>
  );
}

function Reward({ reward, id, t }: { reward: DisplayReward; id: string; t: Translate }) {
  const [copied, setCopied] = useState(false);
  return (
    <s-box padding="base" border="base" borderRadius="base">
      <s-stack gap="small">
        <s-heading>{reward.title}</s-heading>
        <s-paragraph>{reward.text}</s-paragraph>
        {reward.kind === "discount" && (
          <>
            <s-stack direction="inline" gap="base" alignItems="center">
              <s-text type="strong">{reward.code}</s-text>
              <s-button
                variant="secondary"
                command="--copy"
                commandFor={id}
                accessibilityLabel={t("reward.copyLabel", { code: reward.code })}
              >
                {copied ? t("reward.copied") : t("reward.copy")}
              </s-button>
            </s-stack>
            {/* The code stays visible as text, so a failed copy still leaves it usable. */}
            <s-clipboard-item
              id={id}
              text={reward.code}
              onCopy={() => setCopied(true)}
              onCopyError={(event) => warn("Tokui: copying the code failed", event)}
            />
            {reward.expires !== null && <s-text color="subdued">{t("reward.expires", { date: reward.expires })}</s-text>}
            {reward.conditionText !== null && <s-text color="subdued">{reward.conditionText}</s-text>}
          </>
        )}
      </s-stack>
    </s-box>
  );
}
