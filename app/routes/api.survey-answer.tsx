import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleSurveyAnswer } from "../services/survey-route.server";

// The thank-you extension (extensions/shared/survey.ts) POSTs a shopper's answer here; the
// browser's CORS preflight (OPTIONS) reaches the loader.
export const loader = ({ request }: LoaderFunctionArgs) => handleSurveyAnswer(request);
export const action = ({ request }: ActionFunctionArgs) => handleSurveyAnswer(request);
