/**
 * Environment, validated once at start-up (fail fast with a readable message).
 * Every variable is documented in README.md § Environment.
 */
import { z } from "zod";
import { DEFAULT_DATABASE_URL, databaseKind } from "./database-url";
import { isLoopbackUrl } from "./demo.server";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SHOPIFY_APP_URL: z.string().url(),
  SCOPES: z.string().default("read_orders,write_orders,read_customers,write_customers,write_discounts,read_all_orders"),
  DATABASE_URL: z
    .string()
    .default(DEFAULT_DATABASE_URL)
    .refine((url) => {
      try {
        databaseKind(url);
        return true;
      } catch {
        return false;
      }
    }, 'must start with "file:" (SQLite) or "postgresql://"'),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  // Local demo shop (scripts/demo.ts): never honoured in production, see app/demo.server.ts.
  TOKUI_DEMO: z.enum(["0", "1"]).default("0"),
  // Where the job worker runs: "1" on the web process's event loop (default), "thread" on a
  // thread of the web process (npm start, ADR 0029), "0" only in `npm run tokui -- worker`.
  TOKUI_INLINE_WORKER: z.enum(["0", "1", "thread"]).default("1"),
  // Thank-you / order status requests per shop and second (and burst) this instance answers.
  TOKUI_POST_PURCHASE_RATE: z.coerce.number().positive().default(50),
  TOKUI_POST_PURCHASE_BURST: z.coerce.number().int().positive().default(100),
});

export type Env = z.infer<typeof schema>;

/** The demo shop must never run in production, not even by a stray variable. */
const safeSchema = schema.refine((e) => e.TOKUI_DEMO !== "1" || isLoopbackUrl(e.SHOPIFY_APP_URL), {
  path: ["TOKUI_DEMO"],
  message: "the local demo shop runs only with SHOPIFY_APP_URL on 127.0.0.1 or localhost; unset TOKUI_DEMO",
});

/** Validate an environment; throws one readable error listing every problem. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = safeSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment (see README.md § Environment):\n${lines.join("\n")}`);
  }
  return parsed.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
