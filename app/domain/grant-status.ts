/**
 * A reward grant's life (RewardGrant.status): pending → issued → redeemed, or revoked / failed;
 * "held" = the customer is in the reward's holdout group and was given nothing (ADR 0011).
 */
export const GRANT_STATUSES = ["pending", "issued", "redeemed", "revoked", "failed", "held"] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export const isGrantStatus = (value: unknown): value is GrantStatus => (GRANT_STATUSES as readonly unknown[]).includes(value);
