/**
 * rankSyncBatchRequest: many customers' rank syncs as one aliased mutation. Every document it
 * builds must validate against the Admin schema (2026-04) and its variables must coerce to the
 * operation's definitions; each customer must get exactly the writes RANK_SYNC_MUTATION would
 * make for them alone.
 */
import { Kind, NoDeprecatedCustomRule, getVariableValues, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { defaultRankTiers } from "~/domain/rank";
import { RANK_SYNC_BATCH_SIZE, rankSyncBatchRequest, type RankSyncPlan } from "~/shopify/rank-sync-batch";
import { planRankSync } from "~/shopify/rank-sync-plan";
import { adminSchema, validateAdminDocument } from "../helpers/admin-schema";

const JPY = defaultRankTiers("JPY");
const ja = { currency: "JPY", locale: "ja" } as const;
const gid = (n: number) => `gid://shopify/Customer/${7400000000000 + n}`;

/** n customers with a mix of states: new (tag to add), moved up (tag swap), unchanged, no rank. */
function plans(n: number): RankSyncPlan[] {
  return Array.from({ length: n }, (_, i) => {
    switch (i % 4) {
      case 0:
        return planRankSync({ gid: gid(i), orderCount: 1, windowSpent: 3000n }, JPY, [], ja);
      case 1:
        return planRankSync({ gid: gid(i), orderCount: 3, windowSpent: 9000n }, JPY, ["tokui-rank:second", "tokui-rank:gold", "vip-gift"], ja);
      case 2:
        return planRankSync({ gid: gid(i), orderCount: 12, windowSpent: 150000n }, JPY, ["tokui-rank:vip"], ja);
      default:
        return planRankSync({ gid: gid(i), orderCount: 0, windowSpent: 0n }, JPY, ["tokui-rank:first"], ja);
    }
  });
}

function variableErrors(query: string, variables: Record<string, unknown>): string[] {
  const operation = parse(query).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
  return (getVariableValues(adminSchema(), operation.variableDefinitions ?? [], variables).errors ?? []).map((e) => e.message);
}

describe("rankSyncBatchRequest", () => {
  it.each([1, 2, 4, 7, RANK_SYNC_BATCH_SIZE])("%i customers: a valid document (no deprecated fields) with fitting variables", (n) => {
    const request = rankSyncBatchRequest(plans(n));
    expect(validateAdminDocument(request.query)).toEqual([]);
    expect(validateAdminDocument(request.query, [NoDeprecatedCustomRule])).toEqual([]);
    expect(variableErrors(request.query, request.variables)).toEqual([]);
  });

  it("writes for each customer exactly what its own plan writes, and nothing twice", () => {
    const all = plans(RANK_SYNC_BATCH_SIZE);
    const request = rankSyncBatchRequest(all);
    const values = (prefix: string) =>
      Object.entries(request.variables)
        .filter(([name]) => new RegExp(`^${prefix}\\d+$`).test(name))
        .flatMap(([, value]) => value as unknown[]);
    expect(values("set")).toEqual(all.flatMap((p) => p.metafields));
    expect(values("delete")).toEqual(all.flatMap((p) => p.staleMetafields));
    all.forEach((plan, i) => {
      expect(request.variables[`add${i}`]).toEqual(plan.add ? plan.addTags : undefined);
      expect(request.variables[`remove${i}`]).toEqual(plan.remove ? plan.removeTags : undefined);
      expect(request.variables[`id${i}`]).toEqual(plan.add || plan.remove ? plan.id : undefined);
    });
    // The case-1 customer swaps second → regular and drops the deleted tier's tag, keeping the merchant's.
    expect(request.variables.add1).toEqual(["tokui-rank:regular"]);
    expect(request.variables.remove1).toEqual(["tokui-rank:second", "tokui-rank:gold"]);
  });

  it("keeps every metafieldsSet within Shopify's 25 metafields, and names every root field in aliases", () => {
    const request = rankSyncBatchRequest(plans(RANK_SYNC_BATCH_SIZE));
    const sets = Object.entries(request.variables).filter(([name]) => name.startsWith("set"));
    expect(sets.length).toBeGreaterThan(1);
    for (const [, metafields] of sets) expect((metafields as unknown[]).length).toBeLessThanOrEqual(25);
    const operation = parse(request.query).definitions[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
    const rootAliases = operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? (s.alias?.value ?? s.name.value) : "?"));
    expect(request.aliases).toEqual(rootAliases);
    expect(request.query).toMatch(/^#graphql\nmutation RankSyncBatch\(/);
  });

  it("refuses an empty batch and one larger than RANK_SYNC_BATCH_SIZE", () => {
    expect(() => rankSyncBatchRequest([])).toThrow(/1 to 20 customers, not 0/);
    expect(() => rankSyncBatchRequest(plans(RANK_SYNC_BATCH_SIZE + 1))).toThrow(/not 21/);
  });
});
