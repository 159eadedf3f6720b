/**
 * Shopify's Admin GraphQL schema (2026-04), vendored in tests/fixtures/shopify-schemas, for
 * validating the documents the app sends without a network or a shop.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  GraphQLError,
  buildClientSchema,
  parse,
  validate,
  type GraphQLSchema,
  type IntrospectionQuery,
  type ValidationRule,
} from "graphql";

const SCHEMA_FILE = fileURLToPath(new URL("../fixtures/shopify-schemas/admin_2026-04.json.gz", import.meta.url));

let schema: GraphQLSchema | undefined;

/** Loaded once per test file; the introspection JSON may or may not be wrapped in `data`. */
export function adminSchema(): GraphQLSchema {
  if (!schema) {
    const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString("utf8")) as
      | IntrospectionQuery
      | { data: IntrospectionQuery };
    schema = buildClientSchema("data" in json ? json.data : json);
  }
  return schema;
}

/** Error messages for `doc` against the Admin schema; [] = valid. */
export function validateAdminDocument(doc: string, rules?: readonly ValidationRule[]): string[] {
  try {
    return validate(adminSchema(), parse(doc), rules).map((error) => error.message);
  } catch (error) {
    if (error instanceof GraphQLError) return [error.message]; // syntax error
    throw error;
  }
}
