import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["app/uninstalled"], uri = "/webhooks/app/uninstalled".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "app/uninstalled");
