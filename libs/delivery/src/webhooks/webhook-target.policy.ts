import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { WebhookEndpointError } from './webhook-endpoint.errors';

/**
 * Where webhooks may not go unless `WEBHOOK_ALLOW_PRIVATE` (API.md, Details): loopback,
 * private, link-local, shared (CGNAT), unspecified, multicast and reserved ranges, in both
 * families (IPv4-mapped IPv6 addresses are checked as the IPv4 address they carry).
 */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

const MAPPED_V4_DOTTED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
/** The form URL parsing normalises a mapped address to: `[::ffff:127.0.0.1]` → `::ffff:7f00:1`. */
const MAPPED_V4_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** The IPv4 address an IPv4-mapped IPv6 address carries, if it is one. */
function mappedV4(address: string): string | undefined {
  const dotted = MAPPED_V4_DOTTED.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = MAPPED_V4_HEX.exec(address);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** True for an address a webhook must not reach unless private targets are allowed. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = mappedV4(address);
  if (mapped) return NON_PUBLIC.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 4) return NON_PUBLIC.check(address, 'ipv4');
  if (family === 6) return NON_PUBLIC.check(address, 'ipv6');
  return true;
}

/**
 * The receiver URL, normalised, if it may receive webhooks. With `allowPrivate` false its
 * host must resolve only to public addresses (DNS is asked now; delivery asks again, since
 * DNS may change).
 * @throws WebhookEndpointError `webhook.invalid_url` or `webhook.private_target`.
 */
export async function checkWebhookTarget(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookEndpointError('webhook.invalid_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookEndpointError('webhook.invalid_url');
  }
  if (url.username || url.password || url.hash) {
    throw new WebhookEndpointError('webhook.invalid_url');
  }
  if (allowPrivate) return url.toString();
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [host] : await resolve(host);
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) {
    throw new WebhookEndpointError('webhook.private_target');
  }
  return url.toString();
}

async function resolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    // An unresolvable host cannot be shown to be public.
    return [];
  }
}
