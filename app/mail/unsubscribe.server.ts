/**
 * Unsubscribe links signed with a key derived from TOKUI_ENCRYPTION_KEY (and still verified
 * with keys derived from TOKUI_ENCRYPTION_KEY_PREVIOUS after a rotation, so links in mail
 * already sent keep working). The token itself is app/domain/unsubscribe-token.ts.
 */
import { derivedKeys, type Keyring } from "../lib/secret-box.server";
import {
  signUnsubscribeToken,
  unsubscribeExpiry,
  unsubscribeUrl,
  verifyUnsubscribeToken,
  type UnsubscribeVerification,
} from "../domain/unsubscribe-token";

const PURPOSE = "unsubscribe-link";

export function unsubscribeLink(input: {
  keyring: Keyring;
  appUrl: string;
  shop: string;
  customerGid: string;
  campaign: string;
  now: Date;
}): { token: string; url: string } {
  const [secret] = derivedKeys(input.keyring, PURPOSE);
  const token = signUnsubscribeToken(
    { shop: input.shop, customerGid: input.customerGid, campaign: input.campaign, expiresAt: unsubscribeExpiry(input.now) },
    secret!,
  );
  return { token, url: unsubscribeUrl(input.appUrl, token) };
}

export function checkUnsubscribeToken(token: string, keyring: Keyring, now: Date, shop?: string): UnsubscribeVerification {
  return verifyUnsubscribeToken(token, { secrets: derivedKeys(keyring, PURPOSE), now, shop });
}
