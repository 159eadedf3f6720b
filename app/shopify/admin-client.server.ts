import { PermanentJobError, RetryableJobError } from "../queue/types";

/** An Admin API client as jobs and routes need it: shopify-app-remix's admin.graphql. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

/** The offline Admin API client of an installed shop. */
export async function adminFor(shop: string): Promise<AdminGraphql> {
  const { unauthenticated } = await import("../shopify.server");
  const { SessionNotFoundError } = await import("@shopify/shopify-app-remix/server");
  try {
    const { admin } = await unauthenticated.admin(shop);
    return admin.graphql as AdminGraphql;
  } catch (error) {
    // Only a missing session is final; a session storage (database) hiccup is worth a retry.
    if (error instanceof SessionNotFoundError) {
      throw new PermanentJobError(`no offline session for ${shop} (not installed?): ${error.message}`);
    }
    throw error;
  }
}

/**
 * One Admin GraphQL call. THROTTLED, 429, 5xx and network failures become retryable errors;
 * any other answer from Shopify (401 revoked token, 403 missing scope, a GraphQL error) would
 * be the same on every retry, so it is permanent.
 */
export async function callAdmin(admin: AdminGraphql, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await admin(query, { variables });
  } catch (error) {
    // shopify-app-remix's client throws on HTTP errors and on GraphQL errors alike.
    throw classify(error);
  }
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (body.errors) throw classify({ message: "GraphQL errors", response: { code: response.status }, body });
  return body.data ?? {};
}

const RETRYABLE_GRAPHQL_CODES = new Set(["THROTTLED", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);

/**
 * The shapes of @shopify/shopify-api's errors: HttpResponseError and its subclasses carry
 * `response.code` (HttpThrottlingError also `response.retryAfter`, in seconds); GraphqlQueryError
 * carries the fetch Response and `body.errors.graphQLErrors`; HttpRequestError (no response) is
 * a network failure.
 */
function classify(error: unknown): Error {
  const e = (error ?? {}) as {
    message?: string;
    response?: { code?: number; status?: number; retryAfter?: number };
    body?: { errors?: unknown };
  };
  const status = e.response?.code ?? e.response?.status;
  const errors = e.body?.errors;
  const graphqlErrors = (Array.isArray(errors) ? errors : ((errors as { graphQLErrors?: unknown[] } | undefined)?.graphQLErrors ?? [])) as {
    message?: string;
    extensions?: { code?: string };
  }[];
  const codes = graphqlErrors.map((g) => g.extensions?.code ?? "");
  const detail = [e.message ?? String(error), ...graphqlErrors.map((g) => `${g.extensions?.code ?? ""} ${g.message ?? ""}`.trim())]
    .join(" | ")
    .replace(/\s+/g, " ")
    .slice(0, 300);
  const retryable =
    status === undefined || status === 429 || status >= 500 || codes.some((code) => RETRYABLE_GRAPHQL_CODES.has(code));
  if (!retryable) return new PermanentJobError(`Admin API refused (HTTP ${status}): ${detail}`);
  const retryAfter = e.response?.retryAfter;
  const where = status === undefined ? "Admin API unreachable" : `Admin API (HTTP ${status})`;
  return new RetryableJobError(`${where}: ${detail}`, retryAfter ? retryAfter * 1000 : undefined);
}
