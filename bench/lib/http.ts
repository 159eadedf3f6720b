/**
 * The load generator: pre-signed webhook deliveries POSTed over keep-alive connections to the
 * app on 127.0.0.1, either closed-loop (C requests in flight, the next one as soon as one
 * answers) or open-loop (sent on a fixed schedule whatever the answers). Latency is measured
 * from handing the request to node:http until the end of the response body.
 */
import http from "node:http";
import { createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";

export interface Delivery {
  path: string;
  headers: Record<string, string | number>;
  body: Buffer;
}

/** Serialize and sign one webhook exactly as Shopify does (HMAC-SHA256 of the raw body, base64). */
export function signDelivery(options: { topic: string; shop: string; secret: string; eventId: string; body: unknown; triggeredAt: Date }): Delivery {
  const raw = Buffer.from(JSON.stringify(options.body));
  return {
    path: `/webhooks/${options.topic}`,
    body: raw,
    headers: {
      "Content-Type": "application/json",
      "Content-Length": raw.length,
      "X-Shopify-Topic": options.topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", options.secret).update(raw).digest("base64"),
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": "2026-04",
      "X-Shopify-Webhook-Id": options.eventId,
      "X-Shopify-Event-Id": options.eventId,
      "X-Shopify-Triggered-At": options.triggeredAt.toISOString(),
    },
  };
}

export interface Outcome {
  /** HTTP status, or 0 for a network error or timeout. */
  status: number;
  ms: number;
  /** When the request was handed to node:http (performance.now()). */
  sentAt: number;
  error?: string;
}

export class Client {
  private readonly agent: http.Agent;

  constructor(
    private readonly port: number,
    maxSockets: number,
    private readonly timeoutMs: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "lifo" });
  }

  post(delivery: Delivery): Promise<Outcome> {
    return new Promise((resolve) => {
      const sentAt = performance.now();
      let settled = false;
      // A deadline from the send, not the socket's idle timeout: that one only starts once a
      // connection is established, and an overloaded server can leave connects pending for minutes.
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      const done = (status: number, error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, ms: performance.now() - sentAt, sentAt, ...(error ? { error } : {}) });
      };
      const request = http.request(
        { host: "127.0.0.1", port: this.port, method: "POST", path: delivery.path, headers: delivery.headers, agent: this.agent },
        (response) => {
          response.on("data", () => undefined);
          response.on("end", () => done(response.statusCode ?? 0));
          response.on("error", (error) => done(0, error.message));
        },
      );
      request.on("error", (error) => done(0, error.message));
      request.end(delivery.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  outcomes: Outcome[];
  seconds: number;
  /** Open loop only: how late each send was against its schedule, ms. */
  lateness?: number[];
  /** Open loop only: the most requests awaiting an answer at once. */
  maxInFlight?: number;
}

/** Closed loop: `concurrency` workers, each sending its next delivery when the last one answered. */
export async function closedLoop(client: Client, deliveries: Delivery[], concurrency: number): Promise<LoadResult> {
  const outcomes: Outcome[] = new Array(deliveries.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, deliveries.length) }, async () => {
      for (let i = next++; i < deliveries.length; i = next++) outcomes[i] = await client.post(deliveries[i]!);
    }),
  );
  return { outcomes, seconds: (performance.now() - started) / 1000 };
}

/**
 * Open loop: delivery i is due at start + i / rate, sent on time whether or not earlier ones have
 * answered (a timer wakes at least every millisecond and sends everything that is due).
 */
export async function openLoop(client: Client, deliveries: Delivery[], rate: number): Promise<LoadResult> {
  const outcomes: Promise<Outcome>[] = [];
  const lateness: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const interval = 1000 / rate;
  const started = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < deliveries.length && started + i * interval <= now) {
        lateness.push(performance.now() - (started + i * interval));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        outcomes.push(
          client.post(deliveries[i]!).then((outcome) => {
            inFlight--;
            return outcome;
          }),
        );
        i++;
      }
      if (i >= deliveries.length) return resolve();
      const wait = started + i * interval - performance.now();
      setTimeout(tick, Math.max(0, Math.floor(wait)));
    };
    tick();
  });
  const sendSeconds = (performance.now() - started) / 1000;
  const all = await Promise.all(outcomes);
  return { outcomes: all, seconds: sendSeconds, lateness, maxInFlight };
}
