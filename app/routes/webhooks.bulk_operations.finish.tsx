import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["bulk_operations/finish"], uri = "/webhooks/bulk_operations/finish".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "bulk_operations/finish");
