import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["shop/redact"], uri = "/webhooks/shop/redact".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "shop/redact");
