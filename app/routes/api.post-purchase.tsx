import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handlePostPurchase } from "../services/post-purchase-route.server";

// The thank-you and order status extensions (extensions/shared/load.ts) POST here from
// Shopify's extension sandbox; the browser's CORS preflight (OPTIONS) reaches the loader.
export const loader = ({ request }: LoaderFunctionArgs) => handlePostPurchase(request);
export const action = ({ request }: ActionFunctionArgs) => handlePostPurchase(request);
