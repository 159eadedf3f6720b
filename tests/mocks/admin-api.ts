/**
 * A fake Shopify Admin GraphQL API at the HTTP boundary (MSW), for the code paths that call
 * Shopify through the real @shopify/shopify-app-remix client.
 *
 * Every request is held to Shopify's contract before it is answered: the access token of the
 * shop's session, the API version, a document that validates against the vendored 2026-04
 * Admin schema, and variables that coerce to the operation's variable definitions. A request
 * that breaks the contract is answered 400 and recorded in `violations`, which tests assert
 * empty — a wrong document fails the test, it is never answered with made-up data.
 *
 * Valid requests are executed by graphql-js against the same schema, with root resolvers over
 * an in-memory model of each shop's customers (tags and metafields), so responses have exactly
 * the shape Shopify gives the selection. Scripted failures (THROTTLED, 5xx, network errors,
 * userErrors) let tests drive the retry paths.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import {
  Kind,
  OperationTypeNode,
  execute,
  getVariableValues,
  parse,
  type FieldNode,
  type OperationDefinitionNode,
} from "graphql";
import { adminSchema, validateAdminDocument } from "../helpers/admin-schema";
import { fakeBulkOperations, type FakeBulkOperations } from "./admin-bulk";
import { fakeFlow, type FakeFlow } from "./admin-flow";
import { TEST_SHOPIFY_ENV } from "../helpers/shopify";

export const ADMIN_API_VERSION = "2026-04";
/** What currentAppInstallation lists unless a test says otherwise (setScopes). */
const DEFAULT_SCOPES = TEST_SHOPIFY_ENV.SCOPES.split(",");
/** The API client id Shopify substitutes for "$app" in app-owned metafield namespaces. */
export const FAKE_APP_ID = "4242";
const APP_NAMESPACE = `app--${FAKE_APP_ID}`;

const ENDPOINT = /^https:\/\/([^/]+)\/admin\/api\/([^/]+)\/graphql\.json$/;

/** The root fields the fake implements; any other is a contract violation (loudly). */
const MUTATION_FIELDS = [
  "metafieldsSet",
  "metafieldsDelete",
  "tagsAdd",
  "tagsRemove",
  "orderUpdate",
  "discountCodeBasicCreate",
  "discountCodeDeactivate",
  "bulkOperationRunQuery",
  "flowTriggerReceive",
  "customerEmailMarketingConsentUpdate",
] as const;
const QUERY_FIELDS = ["customer", "nodes", "shop", "order", "codeDiscountNodeByCode", "bulkOperation", "bulkOperations", "currentAppInstallation"] as const;
export type MutationField = (typeof MUTATION_FIELDS)[number];

export interface FakeUserError {
  field: string[] | null;
  message: string;
  code?: string;
}

export type ScriptedFailure =
  /** HTTP 200 with Shopify's rate-limit error (cost-based throttling). */
  | { kind: "throttled" }
  /** An HTTP error status (502, 503, 401 …) with Shopify's error body. */
  | { kind: "http"; status: number }
  /** The connection fails (fetch rejects). */
  | { kind: "network" }
  /** The mutation runs, but `field` refuses its input and changes nothing. */
  | { kind: "userErrors"; field: MutationField; userErrors: FakeUserError[] };

export interface AdminCall {
  shop: string;
  apiVersion: string;
  accessToken: string | null;
  operationName: string | null;
  operationType: "query" | "mutation" | null;
  query: string;
  variables: Record<string, unknown>;
  status: number;
  /** The scripted failure that answered this call, if any. */
  scripted: ScriptedFailure["kind"] | null;
  response: unknown;
}

export interface FakeMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface FakeCustomerView {
  /** Sorted, as Shopify returns them. */
  tags: string[];
  /** The app-owned ("$app") metafields, key → value. */
  appMetafields: Record<string, string>;
  metafields: FakeMetafield[];
  /** As customerEmailMarketingConsentUpdate last set it (null: never set through the API). */
  emailMarketingConsent: FakeEmailConsent | null;
}

export interface FakeEmailConsent {
  marketingState: string;
  consentUpdatedAt: string | null;
  marketingOptInLevel: string | null;
}

interface FakeCustomer {
  tags: string[];
  metafields: Map<string, FakeMetafield & { id: string }>;
  deleted: boolean;
  emailMarketingConsent?: FakeEmailConsent;
}

interface PendingFailure {
  failure: ScriptedFailure;
  remaining: number;
  operation: string | undefined;
  /** Matching calls still answered normally before this failure applies. */
  after: number;
}

export interface AdminApiMock {
  /** For setupServer(...mock.handlers). */
  handlers: HttpHandler[];
  /** Every request, in order, including refused and scripted ones. */
  calls: AdminCall[];
  /** Contract violations; a test that leaves any behind has sent Shopify something invalid. */
  violations: string[];
  /** The access token a shop's requests must carry (its offline session's). */
  install(shop: string, accessToken: string): void;
  /** Give a customer tags or metafields before the app talks to Shopify. */
  seedCustomer(shop: string, gid: string, state: { tags?: string[]; appMetafields?: Record<string, { type: string; value: string }> }): void;
  /** The shop's settings as `shop { … }` answers them (default: JPY, Asia/Tokyo). */
  setShop(shop: string, settings: Partial<FakeShopSettings>): void;
  /** The customer no longer exists in Shopify (customer(id) → null, mutations refused). */
  deleteCustomer(shop: string, gid: string): void;
  customer(shop: string, gid: string): FakeCustomerView;
  /** Answer the next `times` matching calls (default 1; `operation` = operation name) with a failure. */
  failNext(failure: ScriptedFailure, options?: { times?: number; operation?: string; after?: number }): void;
  /** An order that `order(id:)` answers (and tagsAdd/orderUpdate change). */
  seedOrder(shop: string, order: FakeOrder): void;
  order(shop: string, gid: string): FakeOrder | undefined;
  /** The shop's discount codes, in creation order. */
  discounts(shop: string): FakeDiscount[];
  /** Successful (200, unscripted) calls of one operation, optionally for one customer id. */
  succeeded(operationName: string, customerGid?: string): AdminCall[];
  /**
   * From now on every request waits (a slow or throttled Shopify) until `release()`;
   * `arrived()` tells how many requests have come in since the hold began.
   */
  hold(): { release: () => void; arrived: () => number };
  /** Bulk operations and their result files (tests/mocks/admin-bulk.ts). */
  bulk: FakeBulkOperations;
  /** The scopes currentAppInstallation lists for the shop (default: the test app's SCOPES). */
  setScopes(shop: string, scopes: string[]): void;
  /** Shopify Flow: the deployed triggers and the flowTriggerReceive calls accepted (tests/mocks/admin-flow.ts). */
  flow: FakeFlow;
  reset(): void;
}

/** An order as the fake answers `order(id:)`: the fields ORDER_FOR_POST_PURCHASE_QUERY selects. */
export interface FakeOrder {
  id: string;
  name: string;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  currencyCode: string;
  customer: { id: string; firstName: string | null; lastName: string | null; defaultEmailAddress: { emailAddress: string } | null; defaultAddress: { countryCodeV2: string } | null } | null;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  currentTotalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  lineItems: { edges: { node: Record<string, unknown> }[] };
  note: string | null;
  tags: string[];
}

export interface FakeDiscount {
  id: string;
  code: string;
  active: boolean;
  /** The DiscountCodeBasicInput as the app sent it. */
  input: Record<string, unknown>;
}

export interface FakeShopSettings {
  name: string;
  currencyCode: string;
  ianaTimezone: string;
  primaryDomain: { host: string };
}

export function adminApiMock(): AdminApiMock {
  const tokens = new Map<string, string>();
  const shopSettings = new Map<string, FakeShopSettings>();
  const shops = new Map<string, Map<string, FakeCustomer>>();
  const orders = new Map<string, Map<string, FakeOrder>>();
  const discounts = new Map<string, FakeDiscount[]>();
  let discountIds = 5000;
  const shopOrders = (shop: string) => orders.get(shop) ?? orders.set(shop, new Map()).get(shop)!;
  const shopDiscounts = (shop: string) => discounts.get(shop) ?? discounts.set(shop, []).get(shop)!;
  let pending: PendingFailure[] = [];
  // hold(): requests wait on the gate, as on a slow Shopify; `held` counts those that arrived.
  let gate: Promise<void> = Promise.resolve();
  let held = 0;
  let metafieldIds = 1000;
  const calls: AdminCall[] = [];
  const violations: string[] = [];
  const grantedScopes = new Map<string, string[]>();
  const flow = fakeFlow({ violations });
  const bulk = fakeBulkOperations({ violations, orders: (shop) => [...shopOrders(shop).values()] as unknown as Record<string, unknown>[] });

  function customerState(shop: string, gid: string): FakeCustomer {
    let customers = shops.get(shop);
    if (!customers) shops.set(shop, (customers = new Map()));
    let customer = customers.get(gid);
    // Every customer the app hears about exists in Shopify (its order came from there).
    if (!customer) customers.set(gid, (customer = { tags: [], metafields: new Map(), deleted: false }));
    return customer;
  }

  /** A live customer behind an ID, or null (wrong resource type, or deleted). */
  function liveCustomer(shop: string, id: string): FakeCustomer | null {
    if (!/^gid:\/\/shopify\/Customer\/\d+$/.test(id)) return null;
    const customer = customerState(shop, id);
    return customer.deleted ? null : customer;
  }

  const resolveNamespace = (namespace: string | null | undefined) =>
    namespace === undefined || namespace === null || namespace === "$app" ? APP_NAMESPACE : namespace.replace(/^\$app:/, `${APP_NAMESPACE}--`);

  function takeFailure(operationName: string | null, mutationFields: string[]): ScriptedFailure | null {
    const index = pending.findIndex(
      (p) =>
        (p.operation === undefined || p.operation === operationName) &&
        (p.failure.kind !== "userErrors" || mutationFields.includes(p.failure.field)),
    );
    if (index === -1) return null;
    const entry = pending[index]!;
    if (entry.after > 0) {
      entry.after -= 1;
      return null;
    }
    entry.remaining -= 1;
    if (entry.remaining <= 0) pending = pending.filter((_, i) => i !== index);
    return entry.failure;
  }

  function rootValue(shop: string, refused: { field: MutationField; userErrors: FakeUserError[] } | null) {
    const refusal = (field: MutationField) => (refused?.field === field ? refused.userErrors : null);
    return {
      shop: () => ({ name: "お茶の山田園", currencyCode: "JPY", ianaTimezone: "Asia/Tokyo", primaryDomain: { host: shop }, ...shopSettings.get(shop) }),

      ...bulk.rootValue(shop, refused?.field === "bulkOperationRunQuery" ? refused.userErrors : null),

      ...flow.rootValue(shop, refused?.field === "flowTriggerReceive" ? refused.userErrors : null),

      currentAppInstallation: () => ({
        accessScopes: (grantedScopes.get(shop) ?? DEFAULT_SCOPES).map((handle) => ({ handle, description: handle })),
      }),

      customer: ({ id }: { id: string }) => {
        const customer = liveCustomer(shop, id);
        return customer ? { __typename: "Customer", id, tags: [...customer.tags].sort() } : null;
      },

      // Only customers are modelled: any other id answers null, as a deleted node does.
      nodes: ({ ids }: { ids: string[] }) => {
        if (ids.length > 250) throw new Error("nodes takes at most 250 ids");
        return ids.map((id) => {
          const customer = liveCustomer(shop, id);
          return customer ? { __typename: "Customer", id, tags: [...customer.tags].sort() } : null;
        });
      },

      metafieldsSet: ({ metafields }: { metafields: { ownerId: string; namespace?: string | null; key: string; type?: string | null; value: string }[] }) => {
        const scripted = refusal("metafieldsSet");
        if (scripted) return { metafields: [], userErrors: scripted };
        const userErrors: (FakeUserError & { elementIndex?: number })[] = [];
        if (metafields.length > 25) {
          userErrors.push({ field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO" });
        }
        metafields.forEach((input, i) => {
          const error = (field: string, message: string, code: string) =>
            userErrors.push({ field: ["metafields", String(i), field], message, code, elementIndex: i });
          const owner = liveCustomer(shop, input.ownerId);
          if (!owner) return error("ownerId", "Owner subject does not exist.", "INVALID");
          const namespace = resolveNamespace(input.namespace);
          if (!/^[A-Za-z0-9_-]{3,255}$/.test(namespace)) error("namespace", "Namespace is invalid.", "INVALID");
          if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) error("key", "Key is invalid.", "INVALID");
          const existing = owner.metafields.get(`${namespace}.${input.key}`);
          const type = input.type ?? existing?.type;
          if (!type) return error("type", "Type can't be blank.", "BLANK");
          if (existing && existing.type !== type) return error("type", `Type must be ${existing.type}, the type of the existing metafield.`, "INVALID_TYPE");
          if (!KNOWN_TYPES.has(type)) {
            violations.push(`metafieldsSet: the fake does not model metafield type ${type}: add it to valueProblem`);
          }
          const problem = valueProblem(type, input.value);
          if (problem) error("value", problem, problem.includes("blank") ? "BLANK" : "INVALID_VALUE");
        });
        // metafieldsSet is atomic: one refused input and nothing is written.
        if (userErrors.length > 0) return { metafields: [], userErrors };
        const written = metafields.map((input) => {
          const owner = liveCustomer(shop, input.ownerId)!;
          const namespace = resolveNamespace(input.namespace);
          const id = owner.metafields.get(`${namespace}.${input.key}`)?.id ?? `gid://shopify/Metafield/${metafieldIds++}`;
          const type = input.type ?? owner.metafields.get(`${namespace}.${input.key}`)!.type;
          const metafield = { id, namespace, key: input.key, type, value: input.value };
          owner.metafields.set(`${namespace}.${input.key}`, metafield);
          return { ...metafield, ownerType: "CUSTOMER" };
        });
        return { metafields: written, userErrors: [] };
      },

      metafieldsDelete: ({ metafields }: { metafields: { ownerId: string; namespace: string; key: string }[] }) => {
        const scripted = refusal("metafieldsDelete");
        if (scripted) return { deletedMetafields: [], userErrors: scripted };
        return {
          // null for a metafield that does not exist, as Shopify answers.
          deletedMetafields: metafields.map(({ ownerId, namespace, key }) => {
            const owner = liveCustomer(shop, ownerId);
            const resolved = resolveNamespace(namespace);
            if (!owner?.metafields.delete(`${resolved}.${key}`)) return null;
            return { ownerId, namespace: resolved, key };
          }),
          userErrors: [],
        };
      },

      order: ({ id }: { id: string }) => shopOrders(shop).get(id) ?? null,

      codeDiscountNodeByCode: ({ code }: { code: string }) => {
        const found = shopDiscounts(shop).find((d) => d.code.toLowerCase() === code.toLowerCase());
        return found ? { __typename: "DiscountCodeNode", id: found.id } : null;
      },

      discountCodeBasicCreate: ({ basicCodeDiscount }: { basicCodeDiscount: Record<string, unknown> }) => {
        const code = String(basicCodeDiscount.code ?? "");
        if (shopDiscounts(shop).some((d) => d.code.toLowerCase() === code.toLowerCase())) {
          return { codeDiscountNode: null, userErrors: [{ field: ["basicCodeDiscount", "code"], code: "TAKEN", message: "Code must be unique. Please try a different code." }] };
        }
        const discount = { id: `gid://shopify/DiscountCodeNode/${discountIds++}`, code, active: true, input: basicCodeDiscount };
        shopDiscounts(shop).push(discount);
        return { codeDiscountNode: { __typename: "DiscountCodeNode", id: discount.id }, userErrors: [] };
      },

      discountCodeDeactivate: ({ id }: { id: string }) => {
        const found = shopDiscounts(shop).find((d) => d.id === id);
        if (!found) return { codeDiscountNode: null, userErrors: [{ field: ["id"], code: "INVALID", message: "Discount does not exist" }] };
        found.active = false;
        return { codeDiscountNode: { __typename: "DiscountCodeNode", id }, userErrors: [] };
      },

      orderUpdate: ({ input }: { input: { id: string; note?: string | null } }) => {
        const order = shopOrders(shop).get(input.id);
        if (!order) return { order: null, userErrors: [{ field: ["id"], message: "Order does not exist" }] };
        if (input.note !== undefined) order.note = input.note;
        return { order: { __typename: "Order", id: order.id }, userErrors: [] };
      },

      tagsAdd: ({ id, tags }: { id: string; tags: string[] }) => {
        const scripted = refusal("tagsAdd");
        if (scripted) return { node: null, userErrors: scripted };
        const order = shopOrders(shop).get(id);
        if (order) {
          for (const tag of splitTags(tags)) if (!order.tags.some((t) => t.toLowerCase() === tag.toLowerCase())) order.tags.push(tag);
          return { node: { __typename: "Order", id }, userErrors: [] };
        }
        const customer = liveCustomer(shop, id);
        if (!customer) return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
        for (const tag of splitTags(tags)) {
          if (!customer.tags.some((t) => t.toLowerCase() === tag.toLowerCase())) customer.tags.push(tag);
        }
        return { node: { __typename: "Customer", id, tags: [...customer.tags].sort() }, userErrors: [] };
      },

      customerEmailMarketingConsentUpdate: ({
        input,
      }: {
        input: { customerId: string; emailMarketingConsent: { marketingState: string; consentUpdatedAt?: string | null; marketingOptInLevel?: string | null } };
      }) => {
        const scripted = refusal("customerEmailMarketingConsentUpdate");
        if (scripted) return { customer: null, userErrors: scripted };
        const customer = liveCustomer(shop, input.customerId);
        if (!customer) return { customer: null, userErrors: [{ field: ["input", "customerId"], message: "Customer not found", code: "INVALID" }] };
        const state = input.emailMarketingConsent.marketingState;
        // The schema accepts the whole enum; Shopify refuses the read-only states as input.
        if (!["SUBSCRIBED", "UNSUBSCRIBED", "PENDING"].includes(state)) {
          return { customer: null, userErrors: [{ field: ["input", "emailMarketingConsent", "marketingState"], message: `${state} cannot be set`, code: "INVALID" }] };
        }
        customer.emailMarketingConsent = {
          marketingState: state,
          consentUpdatedAt: input.emailMarketingConsent.consentUpdatedAt ?? new Date().toISOString(),
          marketingOptInLevel: input.emailMarketingConsent.marketingOptInLevel ?? null,
        };
        return { customer: { __typename: "Customer", id: input.customerId }, userErrors: [] };
      },

      tagsRemove: ({ id, tags }: { id: string; tags: string[] }) => {
        const scripted = refusal("tagsRemove");
        if (scripted) return { node: null, userErrors: scripted };
        const order = shopOrders(shop).get(id);
        if (order) {
          const gone = new Set(splitTags(tags).map((t) => t.toLowerCase()));
          order.tags = order.tags.filter((t) => !gone.has(t.toLowerCase()));
          return { node: { __typename: "Order", id }, userErrors: [] };
        }
        const customer = liveCustomer(shop, id);
        if (!customer) return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
        const gone = new Set(splitTags(tags).map((t) => t.toLowerCase()));
        customer.tags = customer.tags.filter((t) => !gone.has(t.toLowerCase()));
        return { node: { __typename: "Customer", id, tags: [...customer.tags].sort() }, userErrors: [] };
      },
    };
  }

  const handler = http.post(ENDPOINT, async ({ request }) => {
    held += 1;
    await gate;
    const [, shop = "", apiVersion = ""] = ENDPOINT.exec(request.url) ?? [];
    const accessToken = request.headers.get("X-Shopify-Access-Token");
    const call: AdminCall = {
      shop,
      apiVersion,
      accessToken,
      operationName: null,
      operationType: null,
      query: "",
      variables: {},
      status: 0,
      scripted: null,
      response: null,
    };
    calls.push(call);
    const answer = (status: number, body: unknown) => {
      call.status = status;
      call.response = body;
      return HttpResponse.json(body as Record<string, unknown>, { status });
    };
    const violation = (status: number, message: string) => {
      violations.push(`${call.operationName ?? "request"} to ${shop}: ${message}`);
      return answer(status, { errors: [{ message: `[fake Admin API] ${message}` }] });
    };

    if (apiVersion !== ADMIN_API_VERSION) return violation(404, `API version ${apiVersion}, expected ${ADMIN_API_VERSION}`);
    const expectedToken = tokens.get(shop);
    if (!expectedToken || accessToken !== expectedToken) {
      violations.push(`request to ${shop}: X-Shopify-Access-Token ${accessToken ?? "missing"}, expected ${expectedToken ?? "none (shop not installed)"}`);
      return answer(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = (await request.json()) as typeof body;
    } catch {
      return violation(400, "the body is not JSON");
    }
    if (typeof body.query !== "string") return violation(400, "the body has no query string");
    call.query = body.query;
    call.operationName = /\b(?:query|mutation)\s+([_A-Za-z]\w*)/.exec(body.query)?.[1] ?? null; // for messages; parsed below
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    call.variables = variables;

    const documentErrors = validateAdminDocument(body.query);
    if (documentErrors.length > 0) return violation(400, `invalid document: ${documentErrors.join("; ")}`);
    const operations = parse(body.query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation =
      typeof body.operationName === "string"
        ? operations.find((o) => o.name?.value === body.operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    if (!operation) return violation(400, "cannot tell which operation to run");
    call.operationName = operation.name?.value ?? null;
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) return violation(400, "subscriptions are not served over HTTP");
    call.operationType = operation.operation === OperationTypeNode.MUTATION ? "mutation" : "query";

    const coercion = getVariableValues(adminSchema(), operation.variableDefinitions ?? [], variables);
    if (coercion.errors) return violation(400, `invalid variables: ${coercion.errors.map((e) => e.message).join("; ")}`);

    const rootFields = operation.selectionSet.selections
      .filter((s): s is FieldNode => s.kind === Kind.FIELD)
      .map((s) => s.name.value)
      .filter((name) => name !== "__typename");
    const implemented: readonly string[] = call.operationType === "mutation" ? MUTATION_FIELDS : QUERY_FIELDS;
    const missing = rootFields.filter((name) => !implemented.includes(name));
    if (missing.length > 0) return violation(400, `the fake does not implement ${missing.join(", ")}: add it to tests/mocks/admin-api.ts`);

    const failure = takeFailure(call.operationName, call.operationType === "mutation" ? rootFields : []);
    if (failure) call.scripted = failure.kind;
    if (failure?.kind === "throttled") {
      return answer(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] });
    }
    if (failure?.kind === "http") {
      return answer(failure.status, { errors: failure.status >= 500 ? "Internal error" : `HTTP ${failure.status}` });
    }
    if (failure?.kind === "network") {
      call.status = -1;
      return HttpResponse.error();
    }

    const result = await execute({
      schema: adminSchema(),
      document: parse(body.query),
      operationName: call.operationName,
      variableValues: variables,
      rootValue: rootValue(shop, failure?.kind === "userErrors" ? failure : null),
    });
    if (result.errors) return violation(400, `the fake could not answer: ${result.errors.map((e) => e.message).join("; ")}`);
    return answer(200, { data: result.data });
  });

  return {
    handlers: [handler, ...bulk.handlers],
    calls,
    violations,
    bulk,
    flow,
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => (release = resolve));
      const start = held;
      return { release: () => release(), arrived: () => held - start };
    },
    setScopes(shop, scopes) {
      grantedScopes.set(shop, [...scopes]);
    },
    install(shop, accessToken) {
      tokens.set(shop, accessToken);
    },
    setShop(shop, settings) {
      shopSettings.set(shop, { name: "お茶の山田園", currencyCode: "JPY", ianaTimezone: "Asia/Tokyo", primaryDomain: { host: shop }, ...settings });
    },
    seedCustomer(shop, gid, state) {
      const customer = customerState(shop, gid);
      if (state.tags) customer.tags = [...state.tags];
      for (const [key, { type, value }] of Object.entries(state.appMetafields ?? {})) {
        customer.metafields.set(`${APP_NAMESPACE}.${key}`, { id: `gid://shopify/Metafield/${metafieldIds++}`, namespace: APP_NAMESPACE, key, type, value });
      }
    },
    deleteCustomer(shop, gid) {
      customerState(shop, gid).deleted = true;
    },
    customer(shop, gid) {
      const customer = customerState(shop, gid);
      const metafields = [...customer.metafields.values()].map(({ namespace, key, type, value }) => ({ namespace, key, type, value }));
      return {
        tags: [...customer.tags].sort(),
        appMetafields: Object.fromEntries(metafields.filter((m) => m.namespace === APP_NAMESPACE).map((m) => [m.key, m.value])),
        metafields,
        emailMarketingConsent: customer.emailMarketingConsent ? { ...customer.emailMarketingConsent } : null,
      };
    },
    seedOrder(shop, order) {
      shopOrders(shop).set(order.id, structuredClone(order));
    },
    order(shop, gid) {
      return shopOrders(shop).get(gid);
    },
    discounts(shop) {
      return shopDiscounts(shop);
    },
    failNext(failure, options = {}) {
      pending.push({ failure, remaining: options.times ?? 1, operation: options.operation, after: options.after ?? 0 });
    },
    succeeded(operationName, customerGid) {
      return calls.filter(
        (c) => c.status === 200 && c.scripted === null && c.operationName === operationName && (customerGid === undefined || c.variables.id === customerGid),
      );
    },
    reset() {
      gate = Promise.resolve();
      tokens.clear();
      shopSettings.clear();
      shops.clear();
      orders.clear();
      discounts.clear();
      pending = [];
      calls.length = 0;
      violations.length = 0;
      grantedScopes.clear();
      bulk.reset();
      flow.reset();
    },
  };
}

/** tagsAdd/tagsRemove take a list whose items may themselves be comma-separated. */
function splitTags(tags: string[]): string[] {
  return tags.flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
}

const KNOWN_TYPES = new Set(["single_line_text_field", "multi_line_text_field", "number_integer", "number_decimal", "boolean"]);

/** Shopify's check of a metafield value against its type (for the types Tokui writes). */
function valueProblem(type: string, value: string): string | null {
  if (value.trim() === "") return "Value can't be blank.";
  switch (type) {
    case "single_line_text_field":
      return /[\r\n]/.test(value) ? "Value must be a single line of text." : null;
    case "multi_line_text_field":
      return null;
    case "number_integer":
      return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? null : "Value must be an integer.";
    case "number_decimal":
      return /^-?\d+(\.\d{1,9})?$/.test(value) ? null : "Value must be a decimal with up to 9 decimal places.";
    case "boolean":
      return value === "true" || value === "false" ? null : "Value must be true or false.";
    default:
      return `Type ${type} is not a supported metafield type.`;
  }
}
