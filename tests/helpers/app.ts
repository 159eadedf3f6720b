/** Handles on the real app modules for integration tests (after integration-setup.ts ran). */
import { appContext } from "~/context.server";
import { TEST_SHOP } from "./shopify";

export async function app() {
  const context = await appContext();
  return {
    ...context,
    prisma: context.db.prisma,
    /** Run every due job (webhook processing, rank sync) now. */
    drain: () => context.queue.drain(context.handlers),
  };
}

export async function customerByGid(gid: string, shop = TEST_SHOP) {
  const { prisma } = await app();
  return prisma.customer.findUnique({ where: { shop_gid: { shop, gid } } });
}
