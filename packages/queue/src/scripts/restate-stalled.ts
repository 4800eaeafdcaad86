import { Script } from './script.js';

/**
 * Replaces a failed job's failedReason (what Bull Board shows) with our words, only while it is the
 * text given (BullMQ's own): run again, or on a job removed meanwhile, it changes nothing (a missing
 * job's hash is never made again).
 *
 * KEYS: the job's hash. ARGV: BullMQ's text, ours. Returns 1 when this call replaced it.
 */
export const restateStalledScript = new Script(
  'restate-stalled',
  `if redis.call('HGET', KEYS[1], 'failedReason') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'failedReason', ARGV[2])
return 1
`,
);
