import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["refunds/create"], uri = "/webhooks/refunds/create".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "refunds/create");
