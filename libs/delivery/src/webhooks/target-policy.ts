import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '@identity/kernel';

/** Why a receiver URL is refused. */
export type WebhookTargetErrorCode =
  /** Not an absolute http(s) URL, or one with credentials or a fragment. */
  | 'invalid_url'
  /** The host is, or resolves to, an address in a blocked range. */
  | 'blocked_target'
  /** The host does not resolve (or the resolver answered nothing usable). */
  | 'unresolvable';

/**
 * A refused receiver URL. The message names the rule (and the range), never the URL: a URL's
 * path or query may hold the receiver's own credentials.
 */
export class WebhookTargetError extends DomainError<WebhookTargetErrorCode> {
  constructor(code: WebhookTargetErrorCode, message: string) {
    super(code, { message });
  }
}

/** One address a host resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (injectable; the default asks the system resolver). */
export type LookupAll = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface ResolveTargetOptions {
  /** `WEBHOOK_ALLOW_PRIVATE`: loopback, private and other non-public ranges are allowed. */
  allowPrivate: boolean;
  lookup?: LookupAll;
}

/** A receiver URL whose addresses were all checked: connect to these and no others. */
export interface ResolvedTarget {
  url: URL;
  /** The URL's host without IPv6 brackets: the Host header's and the TLS server name's. */
  hostname: string;
  /** Every address the host resolved to (or the literal), each allowed by the policy. */
  addresses: ResolvedAddress[];
}

const MAX_URL_LENGTH = 2048;

/**
 * The receiver URL, parsed, if it is an absolute http(s) URL without credentials or
 * fragment. This says nothing about where it points: see `resolveTarget`.
 * @throws WebhookTargetError `invalid_url`.
 */
export function checkTargetUrl(raw: string | URL): URL {
  const text = typeof raw === 'string' ? raw : raw.href;
  if (text.length > MAX_URL_LENGTH) throw invalid('URL is too long');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('not http(s)');
  if (url.username || url.password) throw invalid('URL carries credentials');
  // `new URL` drops an empty '#', so look at the text too.
  if (url.hash || text.includes('#')) throw invalid('URL carries a fragment');
  if (!url.hostname) throw invalid('URL has no host');
  return url;
}

/**
 * Checks the URL, resolves its host once (an IP literal is its own answer) and checks every
 * address. One blocked address refuses the whole target: a host answering a public and a
 * private address would otherwise reach the private one whenever it is tried first. Connect
 * only to the returned addresses (the answer may differ if asked again: DNS rebinding).
 * @throws WebhookTargetError `invalid_url`, `unresolvable` or `blocked_target`.
 */
export async function resolveTarget(
  raw: string | URL,
  options: ResolveTargetOptions,
): Promise<ResolvedTarget> {
  const url = checkTargetUrl(raw);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(hostname);
  const answers: readonly ResolvedAddress[] =
    literal === 4 || literal === 6
      ? [{ address: hostname, family: literal }]
      : await lookupOrThrow(options.lookup ?? systemLookup, hostname);
  const addresses: ResolvedAddress[] = [];
  for (const answer of answers) {
    const family = isIP(answer.address);
    if (family !== 4 && family !== 6) {
      throw new WebhookTargetError('unresolvable', 'the resolver answered a non-address');
    }
    const blocked = classifyAddress(answer.address);
    if (blocked && (blocked.always || !options.allowPrivate)) {
      throw new WebhookTargetError('blocked_target', `target address is ${blocked.label}`);
    }
    if (!addresses.some((a) => a.address === answer.address)) {
      addresses.push({ address: answer.address, family });
    }
  }
  return { url, hostname, addresses };
}

/** True for an address webhooks may not reach while private targets are refused. */
export function isBlockedAddress(address: string): boolean {
  return classifyAddress(address) !== undefined;
}

/**
 * The blocked range an address falls in, e.g. `loopback` or `IPv4-mapped private`, or
 * undefined for a public unicast address. Not an IP address at all counts as blocked.
 */
export function blockedRangeOf(address: string): string | undefined {
  return classifyAddress(address)?.label;
}

interface Blocked {
  label: string;
  /** Blocked even when private targets are allowed: no receiver can live there. */
  always: boolean;
}

type Range = readonly [cidr: string, label: string, always?: 'always'];

/**
 * IPv4 ranges that are not public unicast (IANA IPv4 Special-Purpose Address Registry,
 * RFC 6890 and successors). Earlier entries win, so specific labels come first.
 */
const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)', 'always'],
  ['10.0.0.0/8', 'private (10/8)'],
  ['100.64.0.0/10', 'shared address space / CGNAT (100.64/10)'],
  ['127.0.0.0/8', 'loopback (127/8)'],
  ['169.254.0.0/16', 'link-local (169.254/16)'],
  ['172.16.0.0/12', 'private (172.16/12)'],
  ['192.0.0.0/24', 'IETF protocol assignments (192.0.0/24)'],
  ['192.0.2.0/24', 'documentation (192.0.2/24)'],
  ['192.88.99.0/24', '6to4 relay anycast (192.88.99/24)'],
  ['192.168.0.0/16', 'private (192.168/16)'],
  ['198.18.0.0/15', 'benchmarking (198.18/15)'],
  ['198.51.100.0/24', 'documentation (198.51.100/24)'],
  ['203.0.113.0/24', 'documentation (203.0.113/24)'],
  ['224.0.0.0/4', 'multicast (224/4)', 'always'],
  ['255.255.255.255/32', 'broadcast', 'always'],
  ['240.0.0.0/4', 'reserved (240/4)'],
];

/**
 * IPv6 ranges that are not public unicast (IANA IPv6 Special-Purpose Address Registry).
 * Ranges that carry an IPv4 address (mapped, NAT64 well-known prefix, 6to4) are handled by
 * `EMBEDDING_RANGES` before these; whatever is outside 2000::/3 is blocked after them.
 */
const IPV6_RANGES: readonly Range[] = [
  ['::/128', 'unspecified (::)', 'always'],
  ['::1/128', 'loopback (::1)'],
  // RFC 8215 local-use NAT64: a network's own translator, so by definition internal, and
  // where the IPv4 address sits inside it depends on the local prefix length.
  ['64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['100::/64', 'discard-only (100::/64)'],
  ['2001::/32', 'Teredo (2001::/32)'],
  ['2001:db8::/32', 'documentation (2001:db8::/32)'],
  ['2001::/23', 'IETF protocol assignments (2001::/23)'],
  ['3fff::/20', 'documentation (3fff::/20)'],
  ['5f00::/16', 'SRv6 SIDs (5f00::/16)'],
  ['fc00::/7', 'unique local (fc00::/7)'],
  ['fe80::/10', 'link-local (fe80::/10)'],
  ['fec0::/10', 'site-local (fec0::/10)'],
  ['ff00::/8', 'multicast (ff00::/8)', 'always'],
];

/** IPv6 ranges whose addresses carry an IPv4 address at a fixed offset: that one is checked. */
const EMBEDDING_RANGES: readonly (readonly [cidr: string, label: string, offset: number])[] = [
  ['::ffff:0:0/96', 'IPv4-mapped', 12],
  ['64:ff9b::/96', 'NAT64', 12],
  ['2002::/16', '6to4', 2],
];

interface CompiledRange {
  list: BlockList;
  label: string;
  always: boolean;
}

function compile(ranges: readonly Range[], family: 'ipv4' | 'ipv6'): CompiledRange[] {
  return ranges.map(([cidr, label, always]) => {
    const [network, prefix] = cidr.split('/') as [string, string];
    const list = new BlockList();
    list.addSubnet(network, Number(prefix), family);
    return { list, label, always: always === 'always' };
  });
}

const V4 = compile(IPV4_RANGES, 'ipv4');
const V6 = compile(IPV6_RANGES, 'ipv6');
const EMBEDDING = EMBEDDING_RANGES.map(([cidr, label, offset]) => ({
  ...compile([[cidr, label]], 'ipv6')[0]!,
  offset,
}));
const GLOBAL_UNICAST_V6 = compile([['2000::/3', 'global unicast']], 'ipv6')[0]!.list;

function classifyAddress(address: string): Blocked | undefined {
  // A zone id ("fe80::1%eth0") scopes the address to one link; BlockList would not match it.
  if (address.includes('%')) return { label: 'scoped (zone id)', always: false };
  switch (isIP(address)) {
    case 4:
      return V4.find((r) => r.list.check(address, 'ipv4'));
    case 6:
      return classifyV6(address);
    default:
      return { label: 'not an IP address', always: true };
  }
}

function classifyV6(address: string): Blocked | undefined {
  for (const range of EMBEDDING) {
    if (!range.list.check(address, 'ipv6')) continue;
    const bytes = ipv6Bytes(address);
    const v4 = bytes.subarray(range.offset, range.offset + 4).join('.');
    const inner = V4.find((r) => r.list.check(v4, 'ipv4'));
    return inner && { label: `${range.label} ${inner.label}`, always: inner.always };
  }
  const hit = V6.find((r) => r.list.check(address, 'ipv6'));
  if (hit) return hit;
  if (!GLOBAL_UNICAST_V6.check(address, 'ipv6')) {
    return { label: 'reserved (outside 2000::/3)', always: false };
  }
  return undefined;
}

/** The 16 bytes of a valid IPv6 address (`isIP` already said 6; no zone id). */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const words =
    tail === undefined
      ? left
      : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

async function lookupOrThrow(
  lookup: LookupAll,
  hostname: string,
): Promise<readonly ResolvedAddress[]> {
  let answers: readonly ResolvedAddress[];
  try {
    answers = await lookup(hostname);
  } catch {
    throw new WebhookTargetError('unresolvable', 'target host does not resolve');
  }
  if (answers.length === 0) {
    throw new WebhookTargetError('unresolvable', 'target host resolves to no address');
  }
  return answers;
}

const systemLookup: LookupAll = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

function invalid(message: string): WebhookTargetError {
  return new WebhookTargetError('invalid_url', message);
}
