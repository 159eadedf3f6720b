import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["customers/redact"], uri = "/webhooks/customers/redact".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "customers/redact");
