import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["orders/cancelled"], uri = "/webhooks/orders/cancelled".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "orders/cancelled");
