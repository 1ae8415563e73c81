/**
 * Redis Sentinel settings: parsed from `REDIS_SENTINELS` + `REDIS_SENTINEL_NAME`, or from a
 * `redis+sentinel://` URL. Pure functions, so config validation can list every problem at once.
 */

/** One Sentinel to ask where the primary is. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/** Where the app's Redis lives when it is run under Sentinel (see README, Redis high availability). */
export interface RedisSentinelConfig {
  /** Asked in turn; ioredis adds the ones they report (`SENTINEL sentinels`). */
  sentinels: SentinelAddress[];
  /** The master group name, as in `sentinel monitor <name> ...`. */
  name: string;
  /** AUTH for the Sentinels themselves (`requirepass` in sentinel.conf). */
  sentinelPassword?: string;
  /** ACL user and password of the primary (and replicas): the data nodes. */
  username?: string;
  password?: string;
  db?: number;
  /** TLS to the data nodes and the Sentinels (`rediss+sentinel://`). */
  tls: boolean;
}

/** Sentinel's default port, used when an entry names only a host. */
export const DEFAULT_SENTINEL_PORT = 26379;

/** Whether a REDIS_URL is the Sentinel form rather than a plain `redis://` URL. */
export function isSentinelUrl(url: string): boolean {
  return /^rediss?\+sentinel:\/\//i.test(url.trim());
}

/**
 * `host:port`, `host` (port 26379) or `[v6]:port`.
 * @throws Error naming the entry when it is not one of those.
 */
export function parseSentinelAddress(entry: string): SentinelAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(entry.trim());
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[3]);
  if (!match || !host || port < 1 || port > 65535) {
    throw new Error(`"${entry}" is not host:port`);
  }
  return { host, port };
}

/**
 * `redis+sentinel://[user:password@]host:port[,host:port...]/<master name>[/<db>]`, or
 * `rediss+sentinel://` for TLS. The credentials are those of the data nodes, as in a
 * `redis://` URL; the Sentinels' own password comes from `REDIS_SENTINEL_PASSWORD`.
 * @throws Error saying what is wrong (never echoing the credentials).
 */
export function parseSentinelUrl(
  url: string,
): Omit<RedisSentinelConfig, 'sentinelPassword'> & { sentinelPassword?: undefined } {
  const match = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)(?:\/(\d+))?\/?$/i.exec(
    url.trim(),
  );
  if (!match) {
    throw new Error('must look like redis+sentinel://host:port,host:port/<master name>[/<db>]');
  }
  const [, scheme, userinfo, hosts, name, db] = match;
  const sentinels = hosts!.split(',').map(parseSentinelAddress);
  const credentials = parseUserinfo(userinfo);
  return {
    sentinels,
    name: decodeURIComponent(name!),
    ...credentials,
    ...(db === undefined ? {} : { db: Number(db) }),
    tls: scheme!.toLowerCase() === 'rediss',
  };
}

function parseUserinfo(userinfo: string | undefined): { username?: string; password?: string } {
  if (!userinfo) return {};
  const colon = userinfo.indexOf(':');
  const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  return {
    ...(user ? { username: user } : {}),
    ...(password ? { password } : {}),
  };
}
