import type { LoaderFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { localeFromRequest } from "../locales";
import { customerCsvResponse } from "../services/customers/customer-export.server";
import { authenticate } from "../shopify.server";

// GET /app/customers/export?<the list's filter and sort>&locale=ja — the filtered list as CSV.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  return customerCsvResponse(db.prisma, session.shop, new URL(request.url).searchParams, localeFromRequest(request));
};
