import { randomUUID } from 'node:crypto';

/**
 * An id shaped like the API's (`msg_01…`, `req_01…`, `msgbatch_01…`): prefix, `01`, 22 characters.
 * randomUUID draws from a cached entropy pool: three ids per request stay cheap under load.
 */
export function newId(prefix: 'msg' | 'req' | 'msgbatch'): string {
  return `${prefix}_01${randomUUID().replace(/-/g, '').slice(0, 22)}`;
}
