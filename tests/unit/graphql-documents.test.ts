import {
  GraphQLList,
  GraphQLNonNull,
  Kind,
  NoDeprecatedCustomRule,
  coerceInputValue,
  getVariableValues,
  isInputType,
  parse,
} from "graphql";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as documents from "~/shopify/graphql/documents";
import { ORDERS_BULK_QUERY } from "~/shopify/bulk-import";
import { rankMetafieldsInput, staleRankMetafields, type RankMetafieldFields } from "~/shopify/rank-metafields";
import { adminSchema, validateAdminDocument } from "../helpers/admin-schema";

// Every export of documents.ts, so a new document is checked without touching this file.
const allDocuments = Object.entries(documents);

describe("Admin GraphQL documents (2026-04 schema)", () => {
  it("exports only document strings, and the expected ones", () => {
    for (const [name, doc] of allDocuments) expect(typeof doc, name).toBe("string");
    expect(Object.keys(documents)).toEqual(
      expect.arrayContaining([
        "ORDERS_BULK_QUERY",
        "BULK_OPERATION_RUN_QUERY",
        "RANK_SYNC_MUTATION",
        "CUSTOMER_RANK_TAGS_QUERY",
        "CUSTOMERS_RANK_TAGS_QUERY",
        "ORDER_FOR_POST_PURCHASE_QUERY",
        "SHOP_SETTINGS_QUERY",
        "CUSTOMERS_BULK_QUERY",
        "BULK_OPERATION_STATUS_QUERY",
        "RUNNING_BULK_OPERATIONS_QUERY",
        "APP_ACCESS_SCOPES_QUERY",
      ]),
    );
    expect(documents.ORDERS_BULK_QUERY).toBe(ORDERS_BULK_QUERY);
  });

  it.each(allDocuments)("%s validates against the schema", (_name, doc) => {
    expect(validateAdminDocument(doc)).toEqual([]);
  });

  it.each(allDocuments)("%s uses no deprecated field or argument", (_name, doc) => {
    expect(validateAdminDocument(doc, [NoDeprecatedCustomRule])).toEqual([]);
  });

  it("bulk exports group line items under their order (groupObjects defaults to false), also in the README's mutation", () => {
    // The import reads an order's line items from the lines right after it (bulk-import.ts).
    const argument = /bulkOperationRunQuery\(query: \$query, groupObjects: true\)/;
    expect(documents.BULK_OPERATION_RUN_QUERY).toMatch(argument);
    const run = adminSchema().getMutationType()!.getFields().bulkOperationRunQuery!;
    expect(run.args.find((a) => a.name === "groupObjects")?.defaultValue).toBe(false);
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((doc) => doc.includes("bulkOperationRunQuery"));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatch(argument);
    expect(validateAdminDocument(blocks[0]!)).toEqual([]);
  });

  it("reports a misspelled field (negative control)", () => {
    const errors = validateAdminDocument(documents.SHOP_SETTINGS_QUERY.replace("ianaTimezone", "ianaTimeZone"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Cannot query field "ianaTimeZone" on type "Shop"/);
  });

  it("flags a deprecated field (negative control)", () => {
    const doc = documents.ORDER_FOR_POST_PURCHASE_QUERY.replace("defaultEmailAddress { emailAddress }", "email");
    expect(validateAdminDocument(doc)).toEqual([]);
    expect(validateAdminDocument(doc, [NoDeprecatedCustomRule])).toEqual([
      expect.stringMatching(/Customer\.email is deprecated/),
    ]);
  });

  it("reports a syntax error instead of throwing", () => {
    expect(validateAdminDocument("query { shop { ")).toEqual([expect.stringMatching(/^Syntax Error/)]);
  });

  it("reports a wrong argument type", () => {
    const doc = "query ($id: String!) { customer(id: $id) { id } }";
    expect(validateAdminDocument(doc)).toEqual([expect.stringMatching(/"\$id" of type "String!" used in position expecting type "ID!"/)]);
  });
});

describe("rankMetafieldsInput against MetafieldsSetInput", () => {
  const ownerId = "gid://shopify/Customer/7409876543210";
  const regular: RankMetafieldFields = {
    rankKey: "regular",
    rankLabel: "常連様",
    orderCount: 3,
    nextRankKey: "vip",
    nextRankLabel: "VIP",
    ordersToNext: 2,
    amountToNext: "12000",
  };
  const top: RankMetafieldFields = {
    rankKey: "vip",
    rankLabel: "VIP",
    orderCount: 12,
    nextRankKey: null,
    nextRankLabel: null,
    ordersToNext: null,
    amountToNext: null,
  };

  /** graphql-js's own variable coercion, as the server would do for $metafields. */
  function coercionErrors(value: unknown): string[] {
    const type = adminSchema().getType("MetafieldsSetInput");
    if (!isInputType(type)) throw new Error("MetafieldsSetInput is not an input type");
    const errors: string[] = [];
    coerceInputValue(value, new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type))), (path, _v, error) =>
      errors.push(`${path.join(".")}: ${error.message}`),
    );
    return errors;
  }

  it("builds typed $app metafields, numbers as integer strings", () => {
    expect(rankMetafieldsInput(ownerId, regular)).toEqual([
      { ownerId, namespace: "$app", key: "rank", type: "single_line_text_field", value: "regular" },
      { ownerId, namespace: "$app", key: "rank_label", type: "single_line_text_field", value: "常連様" },
      { ownerId, namespace: "$app", key: "order_count", type: "number_integer", value: "3" },
      { ownerId, namespace: "$app", key: "next_rank", type: "single_line_text_field", value: "vip" },
      { ownerId, namespace: "$app", key: "next_rank_label", type: "single_line_text_field", value: "VIP" },
      { ownerId, namespace: "$app", key: "orders_to_next", type: "number_integer", value: "2" },
      { ownerId, namespace: "$app", key: "amount_to_next", type: "number_decimal", value: "12000" },
    ]);
    expect(staleRankMetafields(ownerId, regular)).toEqual([]);
  });

  it("omits null values and lists them for deletion", () => {
    const input = rankMetafieldsInput(ownerId, top);
    expect(input.map((m) => m.key)).toEqual(["rank", "rank_label", "order_count"]);
    expect(input.every((m) => m.value !== "")).toBe(true);
    expect(staleRankMetafields(ownerId, top)).toEqual(
      ["next_rank", "next_rank_label", "orders_to_next", "amount_to_next"].map((key) => ({ ownerId, namespace: "$app", key })),
    );
  });

  it("omits a customer without a rank yet and an empty label", () => {
    const none = { ...top, rankKey: null, rankLabel: "", orderCount: 0 };
    expect(rankMetafieldsInput(ownerId, none).map((m) => m.key)).toEqual(["order_count"]);
  });

  it("rejects non-integer counts and non-decimal amounts", () => {
    expect(() => rankMetafieldsInput(ownerId, { ...regular, orderCount: 1.5 })).toThrow(/orderCount/);
    expect(() => rankMetafieldsInput(ownerId, { ...regular, amountToNext: "¥12,000" })).toThrow(/amountToNext/);
  });

  it("coerces as the schema's [MetafieldsSetInput!]!", () => {
    expect(coercionErrors(rankMetafieldsInput(ownerId, regular))).toEqual([]);
    expect(coercionErrors(rankMetafieldsInput(ownerId, top))).toEqual([]);
    // Negative control: the coercion does catch a wrong shape.
    expect(coercionErrors([{ ownerId, key: "rank", valu: "x" }])).not.toEqual([]);
  });

  it("fits RANK_SYNC_MUTATION's variable definitions", () => {
    const operation = parse(documents.RANK_SYNC_MUTATION).definitions[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
    const variables = (fields: RankMetafieldFields, addTags: string[], removeTags: string[]) => {
      const staleMetafields = staleRankMetafields(ownerId, fields);
      return {
        id: ownerId,
        metafields: rankMetafieldsInput(ownerId, fields),
        staleMetafields,
        deleteStale: staleMetafields.length > 0,
        addTags,
        add: addTags.length > 0,
        removeTags,
        remove: removeTags.length > 0,
      };
    };
    const errorsOf = (inputs: Record<string, unknown>) =>
      (getVariableValues(adminSchema(), operation.variableDefinitions ?? [], inputs).errors ?? []).map((e) => e.message);

    expect(errorsOf(variables(regular, ["tokui-rank:regular"], ["tokui-rank:first"]))).toEqual([]);
    expect(errorsOf(variables(top, [], []))).toEqual([]);
    expect(errorsOf({ ...variables(top, [], []), staleMetafields: [{ ownerId, key: "rank" }] })).not.toEqual([]);
  });
});
