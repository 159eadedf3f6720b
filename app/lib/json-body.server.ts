import type { z } from "zod";

/**
 * The JSON body of an admin form submission, checked against its schema. Anything else is a
 * request the app's own pages never send: 400, nothing saved.
 */
export async function readJsonBody<T extends z.ZodTypeAny>(request: Request, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new Response("Expected a JSON body", { status: 400 });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Response(`Invalid request: ${parsed.error.issues[0]?.message ?? "bad shape"}`, { status: 400 });
  return parsed.data;
}
