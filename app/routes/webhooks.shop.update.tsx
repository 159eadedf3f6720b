import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["shop/update"], uri = "/webhooks/shop/update".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "shop/update");
