/**
 * Several customers' rank syncs in one Admin API request (the rank-sync queue's batch path):
 * the same writes as RANK_SYNC_MUTATION makes for one customer, as aliased root fields of one
 * mutation. Pure: it only builds the document and its variables from planRankSync's plans.
 * tests/unit/rank-sync-batch.test.ts validates what it builds against the Admin schema.
 */
import type { planRankSync } from "./rank-sync-plan";

export type RankSyncPlan = ReturnType<typeof planRankSync>;

/**
 * Customers per request. Each root field of a mutation costs ~10 points of Shopify's query
 * cost; 20 customers need at most 6 metafieldsSet, 6 metafieldsDelete, 20 tagsAdd and 20
 * tagsRemove fields (~520 points), well inside the 1,000 a single request may cost.
 */
export const RANK_SYNC_BATCH_SIZE = 20;

/** metafieldsSet takes at most 25 metafields per call; metafieldsDelete gets the same chunks. */
const METAFIELDS_PER_FIELD = 25;

export interface RankSyncBatchRequest {
  query: string;
  variables: Record<string, unknown>;
  /** The aliases of the mutation's root fields, to read each one's userErrors. */
  aliases: string[];
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function rankSyncBatchRequest(plans: RankSyncPlan[]): RankSyncBatchRequest {
  if (plans.length === 0 || plans.length > RANK_SYNC_BATCH_SIZE) {
    throw new Error(`a rank sync batch holds 1 to ${RANK_SYNC_BATCH_SIZE} customers, not ${plans.length}`);
  }
  const definitions: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  const aliases: string[] = [];
  const field = (alias: string, text: string) => {
    aliases.push(alias);
    fields.push(`  ${alias}: ${text}`);
  };

  chunks(plans.flatMap((p) => p.metafields), METAFIELDS_PER_FIELD).forEach((metafields, i) => {
    definitions.push(`$set${i}: [MetafieldsSetInput!]!`);
    variables[`set${i}`] = metafields;
    field(`set${i}`, `metafieldsSet(metafields: $set${i}) { metafields { key namespace } userErrors { field message code } }`);
  });
  chunks(plans.flatMap((p) => p.staleMetafields), METAFIELDS_PER_FIELD).forEach((metafields, i) => {
    definitions.push(`$delete${i}: [MetafieldIdentifierInput!]!`);
    variables[`delete${i}`] = metafields;
    field(`delete${i}`, `metafieldsDelete(metafields: $delete${i}) { deletedMetafields { key namespace ownerId } userErrors { field message } }`);
  });
  plans.forEach((plan, i) => {
    if (!plan.add && !plan.remove) return;
    definitions.push(`$id${i}: ID!`);
    variables[`id${i}`] = plan.id;
    if (plan.add) {
      definitions.push(`$add${i}: [String!]!`);
      variables[`add${i}`] = plan.addTags;
      field(`add${i}`, `tagsAdd(id: $id${i}, tags: $add${i}) { userErrors { field message } }`);
    }
    if (plan.remove) {
      definitions.push(`$remove${i}: [String!]!`);
      variables[`remove${i}`] = plan.removeTags;
      field(`remove${i}`, `tagsRemove(id: $id${i}, tags: $remove${i}) { userErrors { field message } }`);
    }
  });
  const query = `#graphql\nmutation RankSyncBatch(${definitions.join(", ")}) {\n${fields.join("\n")}\n}`;
  return { query, variables, aliases };
}
