import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["customers/email_marketing_consent_update"].
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "customers/email_marketing_consent_update");
