/**
 * One pooled SMTP transport per shop, reused across sends (a connection is opened, logged into
 * and kept for up to 100 messages instead of once per mail). New settings for a shop replace its
 * pool; closeAll() on shutdown ends every connection with QUIT.
 */
import { createHash } from "node:crypto";
import type { ConnectionOptions } from "node:tls";
import nodemailer, { type SMTPPoolOptions, type SMTPPoolSentMessageInfo, type Transporter } from "nodemailer";
import type { SmtpSettings } from "../domain/smtp-settings";

export type PooledTransport = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

export interface MailTransportsOptions {
  /** Extra TLS options, e.g. a test's own certificate authority. Certificates are always verified. */
  tls?: ConnectionOptions;
  maxConnections?: number;
}

/** Only what opens and authenticates a connection; sender and reply-to are per message. */
function connectionFingerprint(settings: SmtpSettings): string {
  const { host, port, security, auth } = settings;
  return createHash("sha256").update(JSON.stringify([host, port, security, auth?.user ?? null, auth?.password ?? null])).digest("base64url");
}

export function transportOptions(settings: SmtpSettings, options: MailTransportsOptions = {}): SMTPPoolOptions {
  return {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    auth: settings.auth ? { user: settings.auth.user, pass: settings.auth.password } : undefined,
    maxConnections: options.maxConnections ?? 2,
    maxMessages: 100,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    // Messages are built from text only: nothing may be read from a path or fetched from a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    tls: { minVersion: "TLSv1.2", ...options.tls, rejectUnauthorized: true },
  };
}

export class MailTransports {
  private readonly pools = new Map<string, { fingerprint: string; transport: PooledTransport }>();

  constructor(private readonly options: MailTransportsOptions = {}) {}

  /** The shop's pool, created on first use and replaced when its connection settings change. */
  for(shop: string, settings: SmtpSettings): PooledTransport {
    const fingerprint = connectionFingerprint(settings);
    const existing = this.pools.get(shop);
    if (existing?.fingerprint === fingerprint) return existing.transport;
    existing?.transport.close();
    const transport = nodemailer.createTransport(transportOptions(settings, this.options));
    this.pools.set(shop, { fingerprint, transport });
    return transport;
  }

  /** When a shop removes its settings or uninstalls. */
  close(shop: string): void {
    this.pools.get(shop)?.transport.close();
    this.pools.delete(shop);
  }

  closeAll(): void {
    for (const { transport } of this.pools.values()) transport.close();
    this.pools.clear();
  }

  get size(): number {
    return this.pools.size;
  }
}

/** The process's pools; the worker closes them on shutdown (closeMailTransports). */
export const mailTransports = new MailTransports();

export function closeMailTransports(): void {
  mailTransports.closeAll();
}
