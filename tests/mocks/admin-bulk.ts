/**
 * Shopify bulk operations for the fake Admin API (tests/mocks/admin-api.ts): bulkOperationRunQuery,
 * bulkOperation(id:), bulkOperations(query:), and the result files on a fake storage host.
 *
 * An operation's JSONL is made the way Shopify makes it: the bulk query (validated against the
 * schema — a broken one is a contract violation) is executed by graphql-js over the fake shop's
 * orders and customers, and the result is flattened to one object per line, the nodes of nested
 * connections on their own lines after their parent, carrying `__parentId`. Tests decide when an
 * operation runs, finishes or fails, and how the storage host behaves (Range, cut connections,
 * expired signatures).
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import { Kind, OperationTypeNode, execute, parse, type OperationDefinitionNode } from "graphql";
import { adminSchema, validateAdminDocument } from "../helpers/admin-schema";

export const BULK_STORAGE = "https://storage.fake-shopify.test";

export type FakeBulkStatus = "CREATED" | "RUNNING" | "CANCELING" | "CANCELED" | "COMPLETED" | "EXPIRED" | "FAILED";

export interface FakeBulkOperation {
  id: string;
  shop: string;
  query: string;
  status: FakeBulkStatus;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  objectCount: number;
  createdAt: string;
  completedAt: string | null;
  url: string | null;
  partialDataUrl: string | null;
  /** Started by someone else (another tool of the app), not through bulkOperationRunQuery here. */
  foreign: boolean;
}

/** A customer as the customers export sees it. */
export interface FakeBulkCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  /** marketingState defaults to NOT_SUBSCRIBED (never asked) when a test leaves it out. */
  defaultEmailAddress: { emailAddress: string; marketingState?: string; marketingUpdatedAt?: string | null } | null;
  /** Shopify's customer language; "ja" when a test leaves it out. */
  locale?: string;
  tags: string[];
  defaultAddress: { countryCodeV2: string; provinceCode: string | null } | null;
}

export interface FakeStorage {
  /** Answer 200 with the whole file to a Range request (as some hosts do). */
  ignoreRange: boolean;
  /** Break the connection after this many lines of a response (then null again). */
  cutAfterLines: number | null;
  /** URLs whose signature has expired: 403. */
  expired: Set<string>;
  /** Every download: the URL, its Range header and the status answered. */
  requests: { url: string; range: string | null; status: number }[];
}

export interface FakeBulkOperations {
  handlers: HttpHandler[];
  storage: FakeStorage;
  operations(shop: string): FakeBulkOperation[];
  /** The shop's customers the customers export lists. */
  seedCustomers(shop: string, customers: FakeBulkCustomer[]): void;
  /** An operation of the app that Tokui did not start (e.g. another tool), running. */
  startForeign(shop: string, query: string): FakeBulkOperation;
  /** Progress while running. */
  run(id: string, objectCount: number): FakeBulkOperation;
  /**
   * End an operation: COMPLETED (the file is made now, from the shop's current data), FAILED
   * (with `partialLines` lines of the file at partialDataUrl), CANCELED or EXPIRED.
   */
  finish(
    id: string,
    outcome?: { status?: "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED"; errorCode?: FakeBulkOperation["errorCode"]; partialLines?: number },
  ): FakeBulkOperation;
  /** The file's text at `url`. */
  file(url: string): string | undefined;
  /** Replace a file's text (malformed lines, a line split by hand…). */
  setFile(url: string, text: string): void;
  /** The bulk_operations/finish webhook body Shopify sends for the operation. */
  finishWebhook(id: string): Record<string, unknown>;
  rootValue(shop: string, refused: { field: string[] | null; message: string; code?: string }[] | null): Record<string, unknown>;
  reset(): void;
}

export function fakeBulkOperations(options: {
  violations: string[];
  /** The shop's orders as `order(id:)` answers them (the orders export reads the same). */
  orders: (shop: string) => Record<string, unknown>[];
}): FakeBulkOperations {
  const operations: FakeBulkOperation[] = [];
  const customers = new Map<string, FakeBulkCustomer[]>();
  const files = new Map<string, string>();
  let ids = 7000;
  const storage: FakeStorage = { ignoreRange: false, cutAfterLines: null, expired: new Set(), requests: [] };

  const find = (id: string) => {
    const op = operations.find((o) => o.id === id);
    if (!op) throw new Error(`no bulk operation ${id}`);
    return op;
  };

  /** Execute the bulk query over the shop's data and flatten it to JSONL, as Shopify does. */
  function exportFile(op: FakeBulkOperation): string {
    const shopOrders = options.orders(op.shop).map((order) => ({ ...order }));
    const result = execute({
      schema: adminSchema(),
      document: parse(op.query),
      rootValue: {
        orders: { edges: shopOrders.map((node) => ({ node })) },
        customers: { edges: (customers.get(op.shop) ?? []).map((node) => ({ node: withCustomerDefaults(node) })) },
      },
    }) as { data?: Record<string, unknown>; errors?: readonly { message: string }[] };
    if (result.errors) {
      options.violations.push(`bulk query could not be answered: ${result.errors.map((e) => e.message).join("; ")}`);
      return "";
    }
    const lines: string[] = [];
    const flatten = (node: Record<string, unknown>, parentId: string | null) => {
      const own: Record<string, unknown> = {};
      const children: Record<string, unknown>[] = [];
      for (const [key, value] of Object.entries(node)) {
        const edges = (value as { edges?: { node: Record<string, unknown> }[] } | null)?.edges;
        if (Array.isArray(edges)) children.push(...edges.map((e) => e.node));
        else own[key] = value;
      }
      lines.push(JSON.stringify(parentId ? { ...own, __parentId: parentId } : own));
      for (const child of children) flatten(child, String(own.id));
    };
    for (const connection of Object.values(result.data ?? {})) {
      for (const edge of (connection as { edges: { node: Record<string, unknown> }[] }).edges) flatten(edge.node, null);
    }
    return lines.map((l) => `${l}\n`).join("");
  }

  const lineCount = (text: string) => text.split("\n").filter(Boolean).length;

  const storageHandler = http.get(`${BULK_STORAGE}/*`, ({ request }) => {
    const url = request.url;
    const range = request.headers.get("Range");
    const text = files.get(url);
    const answer = (status: number, body: BodyInit | null, headers: Record<string, string> = {}) => {
      storage.requests.push({ url, range, status });
      return new HttpResponse(body, { status, headers });
    };
    if (text === undefined) return answer(404, "NoSuchKey");
    if (storage.expired.has(url)) return answer(403, "<Error><Code>ExpiredToken</Code></Error>");
    const bytes = Buffer.from(text, "utf8");
    let start = 0;
    let status = 200;
    if (range && !storage.ignoreRange) {
      const m = /^bytes=(\d+)-$/.exec(range);
      if (!m) return answer(400, "bad range");
      start = Number(m[1]);
      if (start >= bytes.length) return answer(416, null, { "Content-Range": `bytes */${bytes.length}` });
      status = 206;
    }
    const body = bytes.subarray(start);
    const cut = storage.cutAfterLines;
    if (cut !== null) {
      storage.cutAfterLines = null;
      let end = 0;
      for (let i = 0; i < cut; i++) end = body.indexOf(10, end) + 1;
      const head = body.subarray(0, end);
      // The head is read first; only the next read fails (an error discards unread chunks).
      let sent = false;
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (sent) return controller.error(new TypeError("terminated: other side closed"));
            sent = true;
            controller.enqueue(new Uint8Array(head));
          },
        },
        { highWaterMark: 0 },
      );
      return answer(status, stream, { "Content-Type": "application/jsonl" });
    }
    return answer(status, new Uint8Array(body), {
      "Content-Type": "application/jsonl",
      ...(status === 206 ? { "Content-Range": `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
  });

  const view = (op: FakeBulkOperation) => ({
    __typename: "BulkOperation",
    ...op,
    type: "QUERY",
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.objectCount),
    fileSize: op.url ? String(Buffer.byteLength(files.get(op.url) ?? "")) : null,
  });

  function create(shop: string, query: string, foreign: boolean): FakeBulkOperation {
    const op: FakeBulkOperation = {
      id: `gid://shopify/BulkOperation/${ids++}`,
      shop,
      query,
      status: foreign ? "RUNNING" : "CREATED",
      errorCode: null,
      objectCount: 0,
      createdAt: new Date().toISOString(),
      completedAt: null,
      url: null,
      partialDataUrl: null,
      foreign,
    };
    operations.push(op);
    return op;
  }

  return {
    handlers: [storageHandler],
    storage,
    operations: (shop) => operations.filter((o) => o.shop === shop),
    seedCustomers(shop, list) {
      customers.set(shop, structuredClone(list));
    },
    startForeign: (shop, query) => create(shop, query, true),
    run(id, objectCount) {
      const op = find(id);
      op.status = "RUNNING";
      op.objectCount = objectCount;
      return op;
    },
    finish(id, outcome = {}) {
      const op = find(id);
      const status = outcome.status ?? "COMPLETED";
      op.status = status;
      op.completedAt = new Date().toISOString();
      if (status === "COMPLETED") {
        // Another tool's export: its file is not the test's business.
        const text = op.foreign ? "" : exportFile(op);
        op.objectCount = lineCount(text);
        // An empty export has no file at all.
        op.url = text === "" ? null : `${BULK_STORAGE}/bulk/${op.id.split("/").pop()}/export.jsonl?X-Goog-Signature=${ids++}`;
        if (op.url) files.set(op.url, text);
      } else if (status === "FAILED") {
        op.errorCode = outcome.errorCode ?? "INTERNAL_SERVER_ERROR";
        const lines = exportFile(op).split("\n").filter(Boolean).slice(0, outcome.partialLines ?? 0);
        op.objectCount = lines.length;
        if (lines.length > 0) {
          op.partialDataUrl = `${BULK_STORAGE}/bulk/${op.id.split("/").pop()}/partial.jsonl?X-Goog-Signature=${ids++}`;
          files.set(op.partialDataUrl, lines.map((l) => `${l}\n`).join(""));
        }
      } else if (status === "EXPIRED") {
        op.url = null;
      }
      return op;
    },
    file: (url) => files.get(url),
    setFile(url, text) {
      files.set(url, text);
    },
    finishWebhook(id) {
      const op = find(id);
      return {
        admin_graphql_api_id: op.id,
        completed_at: op.completedAt,
        created_at: op.createdAt,
        error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
        status: op.status.toLowerCase(),
        type: "query",
      };
    },
    rootValue(shop, refused) {
      return {
        bulkOperationRunQuery: ({ query, groupObjects }: { query: string; groupObjects: boolean }) => {
          if (refused) return { bulkOperation: null, userErrors: refused };
          const problems = validateAdminDocument(query);
          const operation = problems.length === 0 ? parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION) : undefined;
          if (problems.length > 0 || operation?.operation !== OperationTypeNode.QUERY) {
            options.violations.push(`bulkOperationRunQuery: not a valid bulk query: ${problems.join("; ") || "not a query"}`);
            return { bulkOperation: null, userErrors: [{ field: ["query"], message: "Invalid bulk query", code: "INVALID" }] };
          }
          if (!groupObjects) options.violations.push("bulkOperationRunQuery: groupObjects must be true (the import reads line items after their order)");
          const busy = operations.find((o) => o.shop === shop && (o.status === "CREATED" || o.status === "RUNNING"));
          if (busy) {
            return {
              bulkOperation: null,
              userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${busy.id}.`, code: "OPERATION_IN_PROGRESS" }],
            };
          }
          return { bulkOperation: view(create(shop, query, false)), userErrors: [] };
        },
        bulkOperation: ({ id }: { id: string }) => {
          const op = operations.find((o) => o.id === id && o.shop === shop);
          return op ? view(op) : null;
        },
        // Only the filter the app sends is modelled: running or created queries.
        bulkOperations: ({ query }: { query?: string }) => {
          if (query !== "operation_type:query AND (status:created OR status:running)") {
            options.violations.push(`bulkOperations: the fake does not model the filter ${query ?? "(none)"}`);
          }
          const nodes = operations.filter((o) => o.shop === shop && (o.status === "CREATED" || o.status === "RUNNING")).reverse().slice(0, 5).map(view);
          return { nodes, edges: nodes.map((node) => ({ node, cursor: node.id })), pageInfo: { hasNextPage: false, hasPreviousPage: false } };
        },
      };
    },
    reset() {
      operations.length = 0;
      customers.clear();
      files.clear();
      storage.ignoreRange = false;
      storage.cutAfterLines = null;
      storage.expired.clear();
      storage.requests.length = 0;
    },
  };
}

/** The non-null fields Shopify always answers, for customers a test seeded without them. */
function withCustomerDefaults(customer: FakeBulkCustomer): FakeBulkCustomer {
  const email = customer.defaultEmailAddress;
  return {
    ...customer,
    locale: customer.locale ?? "ja",
    defaultEmailAddress: email && { marketingState: "NOT_SUBSCRIBED", marketingUpdatedAt: null, ...email },
  };
}
