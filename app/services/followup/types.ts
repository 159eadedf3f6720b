/**
 * The follow-up engine's public surface (scheduler, sender, interval learning), for the merchant
 * pages, the worker and the CLI. Implementations: scheduler.server.ts (planFollowUps,
 * sendDueMail), intervals.server.ts (learnIntervals), settings.server.ts (readMailSettings).
 * Send-log words: send-log.ts; Campaign definitions: ../followup-settings/definition.ts. ADR 0022.
 */
import type { Keyring } from "../../lib/secret-box.server";
import type { SendingHours } from "../../domain/journeys";
import type { SmtpSettings } from "../../domain/smtp-settings";
import type { MailTransports } from "../../mail/transport.server";
import type { JobQueue } from "../../queue/types";

export type { MailSendStatus, SkipReason } from "./send-log";

/** What one planning pass of one shop did. */
export interface PlanResult {
  shop: string;
  /** Rows inserted as "scheduled" (treated) per campaign key. */
  scheduled: Record<string, number>;
  /** Rows inserted as "held" (holdout: recorded, never sent) per campaign key. */
  held: Record<string, number>;
  /** Treated rows delivered through Shopify Flow (a Flow-only shop: recorded "sent") per campaign key. */
  viaFlow: Record<string, number>;
  /** Why nothing was planned for the shop, if so ("no-channel": neither SMTP sending on nor an active Flow workflow). */
  skippedShop?: "no-campaign" | "uninstalled" | "no-channel";
}

/** How a shop's follow-ups reach customers (decided when planning, plan.server.ts). */
export type DeliveryChannel = "mail" | "flow";

export interface PlanOptions {
  /** Queue Shopify Flow "Follow-up due" for each treated journey step planned (default true when a queue is given). */
  queue?: JobQueue;
  /** Rows per INSERT (default 2,000). */
  batchSize?: number;
}

/** What one sending pass did (over every shop, or one with `shop`). */
export interface SendResult {
  claimed: number;
  sent: number;
  /** Failed for now and scheduled again (451, connection lost). */
  retried: number;
  failed: number;
  skipped: number;
  /** Shops whose sending was paused in this pass (login refused, server unreachable, 421). */
  paused: string[];
}

export interface SendOptions {
  /** Only this shop's mail (CLI, tests); default every shop with enabled, unpaused settings. */
  shop?: string;
  /** Rows claimed per pass (default 50). */
  batchSize?: number;
  /** Stop after this many rows in all (default: until nothing is due). */
  limit?: number;
  /** How long a claim holds before another worker may take the row again (default 10 minutes). */
  leaseMs?: number;
  transports?: MailTransports;
  /** Default keyringFromEnv(). */
  keyring?: Keyring;
  /** Base of the unsubscribe link; default SHOPIFY_APP_URL. */
  appUrl?: string;
  /** Give up a row after this many temporary failures (default 8). */
  maxAttempts?: number;
}

export interface LearnResult {
  products: number;
  learned: number;
  notEnoughData: number;
}

/** A shop's mail settings as the sender needs them (password opened). */
export interface ShopMailSettings {
  smtp: SmtpSettings;
  hours: SendingHours;
  enabled: boolean;
  pausedAt: Date | null;
  pauseReason: string | null;
}

/** Job kinds the engine runs (app/queue/types.ts QueueName). */
export const FOLLOWUP_PLAN_QUEUE = "followup-plan";
export const FOLLOWUP_SEND_QUEUE = "followup-send";
