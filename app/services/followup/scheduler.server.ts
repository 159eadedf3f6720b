/**
 * The follow-up scheduler (ADR 0022): planning (plan.server.ts), sending (send.server.ts),
 * interval learning (intervals.server.ts) and the jobs that run them (jobs.server.ts).
 */
export { planFollowUps, countedOrderSql } from "./plan.server";
export { sendDueMail, shopsWithDueMail, retryDelayMs, DEFAULT_MAX_SEND_ATTEMPTS } from "./send.server";
export { learnIntervals } from "./intervals.server";
export { readMailSettings } from "./settings.server";
