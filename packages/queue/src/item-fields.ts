/**
 * Fields of an item's record (a Redis hash that exists while the item is unfinished): the requirement
 * as submitted, JSON {requirement, tier?, model?}; the key of the set of jobs parked on the item's
 * claim on its agent, once one parks (agent-claim.ts; the step that cancels the item wakes them);
 * stage outputs kept in Redis go under their own names (OutputName, processors/outputs.ts). Apart
 * from items.ts so that the scripts, which items.ts runs, can name them too.
 */
export const ITEM_FIELDS = { requirement: 'req', claimWaiters: 'waiters' } as const;
