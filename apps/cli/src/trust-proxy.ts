import { isIP } from 'node:net';

/** The names express's `trust proxy` (proxy-addr) takes for address ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** One entry of a list: a range name, an address, or an address/prefix-length or address/netmask subnet. */
function isProxyAddress(entry: string): boolean {
  if (RANGE_NAMES.includes(entry)) return true;
  const [address = '', mask, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (mask === undefined) return true;
  if (/^\d+$/.test(mask)) return Number(mask) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(mask) === 4 && isContiguous(mask);
}

/** A netmask such as 255.255.0.0: ones, then zeros (what a subnet can be). */
function isContiguous(mask: string): boolean {
  const zeros = ~mask.split('.').reduce((n, octet) => (n << 8) | Number(octet), 0) >>> 0;
  return (zeros & (zeros + 1)) === 0;
}

export const TRUST_PROXY_HELP = 'true, false, a hop count such as 1, or addresses and subnets such as loopback, 10.0.0.0/8';

/**
 * AF_TRUST_PROXY as express takes it: `true`/`false`, a number of hops, or a comma-separated list of
 * addresses, subnets or loopback/linklocal/uniquelocal. Checked here, because express only finds a
 * bad entry when the server starts, and says "invalid IP address" without naming the variable.
 */
export function parseTrustProxy(text: string): boolean | number | string {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((e) => e.trim());
  const bad = entries.find((e) => !isProxyAddress(e));
  if (bad !== undefined) throw new Error(`"${bad}" is not ${TRUST_PROXY_HELP}`);
  return entries.join(',');
}
