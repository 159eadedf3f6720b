/**
 * Shopify Flow's side of flowTriggerReceive for the fake Admin API (tests/mocks/admin-api.ts).
 * The triggers it knows are the ones the app deploys: extensions/flow-* /shopify.extension.toml
 * of type flow_trigger, read from disk as Shopify would have them after `shopify app deploy`.
 * A payload must fit its trigger's fields — every declared key present, no other key, values of
 * the declared type — and stay within 50 KB; otherwise the call is refused with userErrors (as
 * Shopify does) *and* recorded as a contract violation, because the app never means to send it.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const EXTENSIONS = fileURLToPath(new URL("../../extensions", import.meta.url));
const PAYLOAD_LIMIT_BYTES = 50_000;

export interface FakeFlowField {
  /** customer_reference fields arrive as `customer_id`. */
  key: string;
  type: string;
}

export interface FlowTriggerReceived {
  shop: string;
  handle: string;
  payload: Record<string, unknown>;
}

interface UserError {
  field: string[] | null;
  message: string;
}

export interface FakeFlow {
  /** The triggers as deployed, by handle. */
  triggers: Map<string, FakeFlowField[]>;
  /** Accepted flowTriggerReceive calls, in order (refused ones are not here). */
  received: FlowTriggerReceived[];
  rootValue(shop: string, refused: UserError[] | null): { flowTriggerReceive: (args: { handle?: string | null; payload?: unknown }) => { userErrors: UserError[] } };
  reset(): void;
}

/** The few lines of the trigger TOML the fake needs: the handle and each field's type and key. */
export function deployedFlowTriggers(root = EXTENSIONS): Map<string, FakeFlowField[]> {
  const triggers = new Map<string, FakeFlowField[]>();
  for (const dir of readdirSync(root).filter((d) => d.startsWith("flow-"))) {
    const toml = readFileSync(join(root, dir, "shopify.extension.toml"), "utf8");
    if (!/^type = "flow_trigger"$/m.test(toml)) continue;
    const [head = "", ...fields] = toml.split(/^\[\[settings\.fields\]\]$/m);
    const handle = /^handle = "([^"]+)"$/m.exec(head)?.[1];
    if (!handle) throw new Error(`${dir}: no handle`);
    triggers.set(
      handle,
      fields.map((block) => {
        const type = /^type = "([^"]+)"$/m.exec(block)?.[1] ?? "";
        const key = /^key = "([^"]+)"$/m.exec(block)?.[1];
        return { type, key: type.endsWith("_reference") ? `${type.replace(/_reference$/, "")}_id` : (key ?? "") };
      }),
    );
  }
  return triggers;
}

function valueProblem(type: string, value: unknown): string | null {
  switch (type) {
    case "customer_reference":
      return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? null : "must be the customer's numeric id";
    case "single_line_text_field":
      return typeof value === "string" && !/[\r\n]/.test(value) ? null : "must be a single line of text";
    case "number_decimal":
      return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
    case "boolean":
      return typeof value === "boolean" ? null : "must be true or false";
    case "email":
    case "url":
      return typeof value === "string" ? null : "must be a string";
    default:
      return `has type ${type}, which Flow triggers do not support`;
  }
}

export function fakeFlow(options: { violations: string[] }): FakeFlow {
  const triggers = deployedFlowTriggers();
  const received: FlowTriggerReceived[] = [];
  return {
    triggers,
    received,
    rootValue(shop, refused) {
      return {
        flowTriggerReceive: ({ handle, payload }) => {
          if (refused) return { userErrors: refused };
          const errors: UserError[] = [];
          const fields = handle ? triggers.get(handle) : undefined;
          if (!fields) {
            errors.push({ field: ["handle"], message: `No trigger with handle ${handle ?? "(none)"} is deployed for this app` });
          } else if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
            errors.push({ field: ["payload"], message: "Payload must be a JSON object" });
          } else {
            const bytes = new TextEncoder().encode(JSON.stringify(payload)).length;
            if (bytes > PAYLOAD_LIMIT_BYTES) errors.push({ field: ["payload"], message: `Payload is ${bytes} bytes; the limit is 50 KB` });
            const given = payload as Record<string, unknown>;
            for (const field of fields) {
              if (!(field.key in given)) errors.push({ field: ["payload", field.key], message: `${field.key} is missing` });
              else {
                const problem = valueProblem(field.type, given[field.key]);
                if (problem) errors.push({ field: ["payload", field.key], message: `${field.key} ${problem}` });
              }
            }
            for (const key of Object.keys(given)) {
              if (!fields.some((f) => f.key === key)) errors.push({ field: ["payload", key], message: `${key} is not a field of trigger ${handle}` });
            }
          }
          if (errors.length > 0) {
            options.violations.push(`flowTriggerReceive to ${shop}: ${errors.map((e) => e.message).join("; ")}`);
            return { userErrors: errors };
          }
          received.push({ shop, handle: handle!, payload: structuredClone(payload as Record<string, unknown>) });
          return { userErrors: [] };
        },
      };
    },
    reset() {
      received.length = 0;
    },
  };
}
