import { sqlDialect, sqlQuery, type PrismaClient } from "../db.server";
import { dateFrom, placeholder } from "../db/json-rows";
import { formatMinorUnits } from "../domain/money";
import type { Milestone } from "../domain/milestones";
import { milestoneFromJson } from "../domain/settings-json";
import { logger } from "../logger.server";
import { PermanentJobError } from "../queue/types";
import { adminFor, callAdmin, type AdminGraphql } from "../shopify/admin-client.server";
import {
  DISCOUNT_BY_CODE_QUERY,
  DISCOUNT_CODE_CREATE_MUTATION,
  DISCOUNT_CODE_DEACTIVATE_MUTATION,
  ORDER_NOTE_QUERY,
  SAMPLE_ORDER_MUTATION,
  SAMPLE_TAG_REMOVE_MUTATION,
} from "../shopify/graphql/documents";

type UserError = { field?: string[] | null; code?: string | null; message: string };

/**
 * The "reward" job: make Shopify match a grant (docs/decisions/0011-milestone-rewards.md).
 * - pending discount → a single-use code for that customer only, until the grant's expiry;
 *   a retry after a lost answer finds the code it created instead of failing on "taken".
 * - pending free sample → tag the earning order and add the packer's note once.
 * - revoked → deactivate the unused code / take the tag off the order.
 * Safe to run twice: every step checks what Shopify already has.
 */
export async function issueReward(prisma: PrismaClient, shop: string, grantId: number, graphql?: AdminGraphql): Promise<void> {
  try {
    await applyGrant(prisma, shop, grantId, graphql);
  } catch (error) {
    // Retrying cannot help: show the merchant why on the Rewards page (the job fails too).
    if (error instanceof PermanentJobError) {
      await prisma.rewardGrant.updateMany({ where: { id: grantId, shop, status: "pending" }, data: { status: "failed", error: error.message.slice(0, 500) } });
    }
    throw error;
  }
}

async function applyGrant(prisma: PrismaClient, shop: string, grantId: number, graphql?: AdminGraphql): Promise<void> {
  const grant = await loadGrant(prisma, shop, grantId);
  if (!grant) return; // erased since (customers/redact, shop/redact)
  const settings = grant.settings;
  const milestone = milestoneFromJson(grant.milestone);
  const admin = graphql ?? (await adminFor(shop));

  if (grant.status === "revoked") {
    await withdraw(admin, grant, milestone);
    logger.info("reward withdrawn", { shop, grantId });
    return;
  }
  if (grant.status !== "pending") return; // issued or redeemed already

  const reward = milestone.reward;
  if (reward.kind === "discount") {
    const discountGid = await createDiscount(admin, {
      code: grant.code!,
      customerGid: grant.customerGid,
      milestone,
      currency: settings?.currency ?? "JPY",
      locale: settings?.locale === "en" ? "en" : "ja",
      startsAt: grant.createdAt,
      endsAt: grant.expiresAt!,
    });
    await prisma.rewardGrant.updateMany({
      where: { id: grant.id, status: "pending" },
      data: { status: "issued", discountGid, issuedAt: new Date(), error: null },
    });
  } else {
    const order = (await callAdmin(admin, ORDER_NOTE_QUERY, { id: grant.orderGid })).order as { note?: string | null } | null;
    if (!order) throw new PermanentJobError(`order ${grant.orderGid} is not in Shopify (deleted?)`);
    const note = reward.packerNote[settings?.locale === "en" ? "en" : "ja"];
    const current = order.note ?? "";
    const setNote = !current.includes(note);
    const result = await callAdmin(admin, SAMPLE_ORDER_MUTATION, {
      id: grant.orderGid,
      tags: [reward.orderTag],
      input: { id: grant.orderGid, note: current === "" ? note : `${current}\n${note}` },
      setNote,
    });
    refuseOnUserErrors(result, ["tagsAdd", "orderUpdate"], `the free sample of grant ${grant.id}`);
    await prisma.rewardGrant.updateMany({ where: { id: grant.id, status: "pending" }, data: { status: "issued", issuedAt: new Date(), error: null } });
  }
  logger.info("reward issued", { shop, grantId, kind: reward.kind });
}

interface GrantToApply {
  id: number;
  status: string;
  milestone: string;
  orderGid: string;
  code: string | null;
  discountGid: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  customerGid: string;
  settings: { currency: string; locale: string } | null;
}

/**
 * The grant, its customer's GID and the shop's currency and locale in one hand-written SELECT:
 * every milestone order queues a reward job, and Prisma compiled a query plan for each of the
 * three reads it took (ADR 0031).
 */
async function loadGrant(prisma: PrismaClient, shop: string, grantId: number): Promise<GrantToApply | null> {
  const dialect = sqlDialect(prisma);
  const [row] = await sqlQuery<{
    id: number | bigint;
    status: string;
    milestone: string;
    orderGid: string;
    code: string | null;
    discountGid: string | null;
    createdAt: unknown;
    expiresAt: unknown;
    customerGid: string;
    currency: string | null;
    locale: string | null;
  }>(
    prisma,
    `SELECT g."id", g."status", g."milestone", g."orderGid", g."code", g."discountGid", g."createdAt", g."expiresAt",
            c."gid" AS "customerGid", s."currency", s."locale"
     FROM "RewardGrant" AS g
     JOIN "Customer" AS c ON c."id" = g."customerId"
     LEFT JOIN "Shop" AS s ON s."shop" = g."shop"
     WHERE g."id" = ${placeholder(dialect, 1)} AND g."shop" = ${placeholder(dialect, 2)}`,
    grantId,
    shop,
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    status: row.status,
    milestone: row.milestone,
    orderGid: row.orderGid,
    code: row.code,
    discountGid: row.discountGid,
    createdAt: dateFrom(row.createdAt),
    expiresAt: row.expiresAt == null ? null : dateFrom(row.expiresAt),
    customerGid: row.customerGid,
    settings: row.currency == null || row.locale == null ? null : { currency: row.currency, locale: row.locale },
  };
}

async function createDiscount(
  admin: AdminGraphql,
  input: { code: string; customerGid: string; milestone: Milestone; currency: string; locale: "ja" | "en"; startsAt: Date; endsAt: Date },
): Promise<string> {
  const reward = input.milestone.reward;
  if (reward.kind !== "discount") throw new Error("not a discount");
  const value =
    reward.value.type === "percentage"
      ? // Shopify takes a fraction (0.1 = 10 %); a whole percent divided by 100 is exact enough for a rate.
        { percentage: reward.value.percent / 100 }
      : { discountAmount: { amount: formatMinorUnits(reward.value.amount, input.currency), appliesOnEachItem: false } };
  const discount = {
    title: input.locale === "ja" ? `Tokui 記念特典 ${input.code}` : `Tokui milestone reward ${input.code}`,
    code: input.code,
    startsAt: input.startsAt.toISOString(),
    endsAt: input.endsAt.toISOString(),
    context: { customers: { add: [input.customerGid] } },
    customerGets: { value, items: { all: true } },
    ...(reward.minimumSubtotal !== null
      ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: formatMinorUnits(reward.minimumSubtotal, input.currency) } } }
      : {}),
    usageLimit: 1,
    appliesOncePerCustomer: true,
  };
  const result = await callAdmin(admin, DISCOUNT_CODE_CREATE_MUTATION, { discount });
  const created = result.discountCodeBasicCreate as { codeDiscountNode?: { id: string } | null; userErrors?: UserError[] } | undefined;
  if (created?.codeDiscountNode?.id) return created.codeDiscountNode.id;
  const errors = created?.userErrors ?? [];
  // Our own earlier attempt created it and the answer was lost: the code is taken — by us.
  if (errors.some((e) => e.code === "TAKEN" || /already|taken|unique/i.test(e.message))) {
    const found = (await callAdmin(admin, DISCOUNT_BY_CODE_QUERY, { code: input.code })).codeDiscountNodeByCode as { id: string } | null;
    if (found) return found.id;
  }
  throw new PermanentJobError(`Shopify refused the discount ${input.code}: ${errors.map((e) => e.message).join("; ") || "no discount returned"}`);
}

async function withdraw(admin: AdminGraphql, grant: { id: number; discountGid: string | null; code: string | null; orderGid: string }, milestone: Milestone) {
  if (milestone.reward.kind === "discount") {
    const id =
      grant.discountGid ??
      (((await callAdmin(admin, DISCOUNT_BY_CODE_QUERY, { code: grant.code })).codeDiscountNodeByCode as { id: string } | null)?.id ?? null);
    if (!id) return; // never reached Shopify
    const result = await callAdmin(admin, DISCOUNT_CODE_DEACTIVATE_MUTATION, { id });
    refuseOnUserErrors(result, ["discountCodeDeactivate"], `the withdrawal of grant ${grant.id}`);
  } else {
    const result = await callAdmin(admin, SAMPLE_TAG_REMOVE_MUTATION, { id: grant.orderGid, tags: [milestone.reward.orderTag] });
    refuseOnUserErrors(result, ["tagsRemove"], `the withdrawal of grant ${grant.id}`);
  }
}

function refuseOnUserErrors(result: Record<string, unknown>, fields: string[], what: string): void {
  const errors = fields.flatMap((f) => ((result[f] as { userErrors?: UserError[] } | undefined)?.userErrors ?? []));
  if (errors.length > 0) throw new PermanentJobError(`Shopify refused ${what}: ${errors.map((e) => e.message).join("; ")}`);
}
