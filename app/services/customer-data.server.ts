import type { PrismaClient } from "../db.server";
import { surveyAnswersOfCustomer } from "./survey-data.server";

/**
 * Everything Tokui holds about one customer, for answering a customers/data_request (the
 * merchant sends it to the customer) — `npm run tokui -- customer-data`.
 */
export async function customerData(prisma: PrismaClient, shop: string, customerGid: string) {
  const customer = await prisma.customer.findUnique({
    where: { shop_gid: { shop, gid: customerGid } },
    include: {
      orders: { orderBy: { processedAt: "asc" }, include: { lines: true } },
      rankChanges: { orderBy: { id: "asc" } },
      notes: { orderBy: { id: "asc" } },
    },
  });
  if (!customer) return null;
  const surveyAnswers = await surveyAnswersOfCustomer(prisma, shop, customer.id);
  const requests = await prisma.webhookEvent.findMany({
    where: { shop, topic: "customers/data_request", error: { contains: customerGid } },
    select: { receivedAt: true, error: true },
  });
  return {
    shop,
    customer: {
      gid: customer.gid,
      firstName: customer.firstName,
      lastName: customer.lastName,
      email: customer.email,
      countryCode: customer.countryCode,
      provinceCode: customer.provinceCode,
      tags: customer.tags,
      orderCount: customer.orderCount,
      lifetimeSpent: customer.lifetimeSpent,
      windowSpent: customer.windowSpent,
      rank: customer.rankKey,
      firstOrderAt: customer.firstOrderAt,
      secondOrderAt: customer.secondOrderAt,
      lastOrderAt: customer.lastOrderAt,
      rfmSegment: customer.rfmSegment,
      redactedAt: customer.redactedAt,
    },
    orders: customer.orders.map((o) => ({
      gid: o.gid,
      name: o.name,
      processedAt: o.processedAt,
      currency: o.currency,
      totalPrice: o.totalPrice,
      currentTotal: o.currentTotal,
      cancelledAt: o.cancelledAt,
      lines: o.lines.map((l) => ({ title: l.title, sku: l.sku, productGid: l.productGid, quantity: l.quantity, unitPrice: l.unitPrice })),
    })),
    rankChanges: customer.rankChanges.map((r) => ({ at: r.createdAt, from: r.fromRank, to: r.toRank, reason: r.reason })),
    // The merchant's notes (お客様の声) are about the customer: part of what they may ask for.
    notes: customer.notes.map((n) => ({ category: n.category, note: n.body, author: n.author, createdAt: n.createdAt, updatedAt: n.updatedAt })),
    // Post-purchase survey answers: the free text is the customer's own words.
    surveyAnswers: surveyAnswers.map((a) => ({ orderGid: a.orderGid, answeredAt: a.createdAt, question: a.question, choice: a.choice ?? a.choiceKey, freeText: a.freeText })),
    dataRequests: requests.map((r) => ({ receivedAt: r.receivedAt, note: r.error })),
  };
}
