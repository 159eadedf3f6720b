import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["orders/paid"], uri = "/webhooks/orders/paid".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "orders/paid");
