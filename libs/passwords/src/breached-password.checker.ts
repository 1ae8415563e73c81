import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '@identity/config';

/** A failure whose message we wrote ourselves, so it is known to hold no part of the hash. */
class RangeLookupError extends Error {}

/**
 * Asks a k-anonymity range API (Have I Been Pwned's Pwned Passwords shape) whether a password
 * appears in known breaches. Only the first 5 hex characters of its SHA-1 leave the process; the
 * comparison with the returned suffixes happens here.
 */
@Injectable()
export class BreachedPasswordChecker {
  private readonly logger = new Logger(BreachedPasswordChecker.name);

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /**
   * True when the range API lists the password with a count above zero. False when no API is
   * configured, and also on any failure (network, timeout, bad status): the check fails open,
   * because an outage of a third-party service must not block every registration and password
   * change. A failure logs one warning without the password or its hash.
   */
  async isBreached(password: string): Promise<boolean> {
    const { breachedApiUrl, breachedTimeoutMs } = this.config.passwords;
    if (!breachedApiUrl) return false;
    const digest = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    try {
      const body = await this.fetchRange(breachedApiUrl, digest.slice(0, 5), breachedTimeoutMs);
      return listsSuffix(body, digest.slice(5));
    } catch (error: unknown) {
      this.logger.warn(
        `Breached-password check skipped, password accepted without it: ${describeFailure(error, breachedTimeoutMs)}`,
      );
      return false;
    }
  }

  private async fetchRange(base: string, prefix: string, timeoutMs: number): Promise<string> {
    const response = await fetch(`${base.replace(/\/+$/, '')}/range/${prefix}`, {
      // Padding makes every answer about the same size, so the prefix cannot be guessed from
      // the response length on the wire.
      headers: { 'Add-Padding': 'true' },
      // Covers the body as well as the headers.
      signal: AbortSignal.timeout(timeoutMs),
      // The range API never redirects; following one would send the prefix to another host.
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new RangeLookupError(`the range API answered HTTP ${response.status}`);
    }
    return response.text();
  }
}

function listsSuffix(body: string, suffix: string): boolean {
  for (const line of body.split('\n')) {
    const [candidate, count] = line.trim().split(':');
    // Padding entries are random suffixes with a count of 0: they are not breached passwords.
    if (candidate?.toUpperCase() === suffix && Number(count) > 0) return true;
  }
  return false;
}

/** Names the failure without echoing messages that could carry the URL and so the prefix. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof RangeLookupError) return error.message;
  // Duck-typed: fetch's errors (DOMException, undici's) may come from another realm than Error.
  const name = stringProperty(error, 'name') ?? 'unknown failure';
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = stringProperty(causeOf(error), 'code');
  return code ? `${name} (${code})` : name;
}

function causeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
}

function stringProperty(value: unknown, key: 'name' | 'code'): string | undefined {
  if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
  const property: unknown = (value as Record<typeof key, unknown>)[key];
  return typeof property === 'string' ? property : undefined;
}
