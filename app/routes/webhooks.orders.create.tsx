import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["orders/create"], uri = "/webhooks/orders/create".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "orders/create");
