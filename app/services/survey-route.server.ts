import { appContext } from "../context.server";
import { logger } from "../logger.server";
import { extensionRequest } from "./post-purchase-route.server";
import { orderGidOf } from "./post-purchase.server";
import { answerSurvey, surveyAnswerRequest } from "./survey.server";

/**
 * POST /api/survey-answer: the thank-you extension's survey answer. Authentication, CORS and
 * the rate limit are the post-purchase route's (extensionRequest). 200 saved (or the same answer
 * again), 400 an answer the survey does not take, 404 not this token's order, 409 answered already.
 */
export async function handleSurveyAnswer(request: Request): Promise<Response> {
  const checked = await extensionRequest(request, surveyAnswerRequest);
  if (checked instanceof Response) return checked;
  const { shop, customerGid, body, cors } = checked;
  const orderGid = orderGidOf(body.orderId);

  let outcome: Awaited<ReturnType<typeof answerSurvey>>;
  try {
    const { db } = await appContext();
    outcome = await answerSurvey(db.prisma, { shop, orderGid, customerGid, choiceKey: body.choiceKey, freeText: body.freeText });
  } catch (error) {
    logger.error("survey answer failed", { shop, order: orderGid, error: String(error) });
    return cors(reply(503, { error: "temporarily unavailable" }));
  }
  if (outcome.status !== 200) {
    logger.info("survey answer refused", { shop, order: orderGid, status: outcome.status, reason: outcome.reason });
    return cors(reply(outcome.status, { error: outcome.reason }));
  }
  return cors(reply(200, { status: "saved" }));
}

// Not Response.json: under `npm start` Remix installs its own Response (installGlobals), which lacks it.
function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } });
}
