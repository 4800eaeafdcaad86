/**
 * Lua: takes every member of a claim's waiters set (job ids, see agent-claim.ts) and deletes it, in
 * one step: two callers never both get a member. Appends them to `into`. Shared by the finalize-item
 * and cancel-items scripts, which end a claimer's item.
 */
export const TAKE_WAITERS_LUA = `
local function takeWaiters(key, into)
  for _, id in ipairs(redis.call('SMEMBERS', key)) do into[#into + 1] = id end
  redis.call('DEL', key)
end
`;
