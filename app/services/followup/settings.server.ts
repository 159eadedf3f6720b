/**
 * What the sender needs of a shop: its SMTP settings with the password opened, sending hours,
 * the on/off switch and whether sending is paused (ADR 0020, 0022).
 */
import type { Tx } from "../../db.server";
import type { SmtpSecurity } from "../../domain/smtp-settings";
import { openSecret, type Keyring } from "../../lib/secret-box.server";
import type { ShopMailSettings } from "./types";

/** The AAD the SMTP password is sealed under (same as the settings page's passwordContext). */
export const smtpPasswordContext = (shop: string) => `smtp-password:${shop}`;

/** null when the shop has no mail settings. Throws SecretBoxError when the password cannot be opened. */
export async function readMailSettings(client: Tx, shop: string, keyring: Keyring): Promise<ShopMailSettings | null> {
  const row = await client.mailSettings.findUnique({ where: { shop } });
  if (!row) return null;
  const password = row.passwordSealed ? openSecret(row.passwordSealed, keyring, smtpPasswordContext(shop)) : null;
  return {
    smtp: {
      host: row.host,
      port: row.port,
      security: row.security as SmtpSecurity,
      auth: row.username && password !== null ? { user: row.username, password } : null,
      fromAddress: row.fromAddress,
      fromName: row.fromName,
      replyTo: row.replyTo,
    },
    hours: { from: row.sendFromHour, to: row.sendToHour },
    enabled: row.enabled,
    pausedAt: row.pausedAt,
    pauseReason: row.pauseReason,
  };
}
