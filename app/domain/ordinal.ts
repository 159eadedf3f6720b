/**
 * English ordinals ("5th", "22nd"). Its own module so that browser code (the admin's live
 * message preview imports post-purchase.ts) never pulls in milestones.ts and its node:crypto.
 */
export function ordinalEn(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}
