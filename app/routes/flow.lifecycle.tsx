import type { ActionFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { env } from "../env.server";
import { receiveFlowLifecycle } from "../shopify/flow.server";

// Shopify Flow's trigger lifecycle callback (extensions/flow-lifecycle: url = "/flow/lifecycle"):
// whether a shop has an active workflow that starts with one of Tokui's triggers.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { db } = await appContext();
  return receiveFlowLifecycle(request, db.prisma, env().SHOPIFY_API_SECRET);
};
