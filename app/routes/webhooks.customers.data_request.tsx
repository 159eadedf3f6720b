import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../services/receive-webhook.server";

// Declared in shopify.app.toml: topics = ["customers/data_request"], uri = "/webhooks/customers/data_request".
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "customers/data_request");
