/**
 * The base of every refusal a domain lib throws. Each context declares its codes as a string
 * union (`'session.refresh_reused' | ...`) and one subclass (`class SessionError extends
 * DomainError<SessionErrorCode> {}`); transports map the codes exhaustively (a `switch` ending
 * in {@link assertUnreachable}). Libs never throw transport errors (`HttpException`, gRPC
 * statuses).
 *
 * The message defaults to the code: safe to log, never user data. A context that needs more
 * (the names of unknown roles, a retry delay) carries it in `details` or a field of its own.
 */
export abstract class DomainError<C extends string = string> extends Error {
  /** Values that name what was refused (role names, permission strings); never secrets. */
  readonly details: readonly string[];

  constructor(
    readonly code: C,
    options: { message?: string; details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(options.message ?? code, options.cause === undefined ? {} : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? [];
  }
}

/**
 * The end of an exhaustive `switch`: a value the compiler proved impossible. Reaching it at
 * run time (a code added to a union but not mapped, data from an older version) throws.
 */
export function assertUnreachable(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${String(value)}`);
}
