import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { EventBus, type IdentityEvent } from '@identity/audit';
import { ChangeBroadcast, KV_STORE, type KvStore } from '@identity/kv';
import { isLocked, UserRepository } from '@identity/users';
import { AccessRepository } from './access.repository';
import { Clock } from '@identity/kernel';

/** What access decisions need to know about one account: its roles and whether it is locked. */
export interface SubjectRow {
  /** Sorted. */
  roles: string[];
  locked: boolean;
}

/** Announces a committed change of roles or of one user's access to every instance. */
export const ACCESS_CHANGED_CHANNEL = 'access.changed';
const ROLES_MESSAGE = 'roles';
const USER_MESSAGE_PREFIX = 'user:';

/**
 * Safety nets, since pub/sub is fire-and-forget (a message can be lost while Redis reconnects):
 * a cached user is re-read in the background once this old, and the role table this often.
 */
const SUBJECT_REFRESH_MS = 30_000;
const ROLES_REFRESH_MS = 60_000;
/** Bounds memory: past this many cached users, the least recently loaded are dropped. */
const MAX_SUBJECTS = 100_000;

/** Events after which one user's cached access is stale. */
const USER_EVENTS = ['user.roles_changed', 'user.locked', 'user.unlocked', 'user.deleted'] as const;
/** Events after which the role → permissions table is stale. */
const ROLE_EVENTS = ['role.updated', 'role.deleted'] as const;

type RoleTable = ReadonlyMap<string, readonly string[]>;

interface CachedSubject {
  subject: SubjectRow;
  loadedAt: number;
}

/**
 * Access decisions from memory: the role → permissions table (small: loaded whole at boot)
 * and, per user, their roles and lock state (loaded on first use). Token verification reads
 * only this, so its hot path never reaches Postgres.
 *
 * Invalidation: this instance drops an entry as soon as the event that changed it commits,
 * and tells the others on the kv channel {@link ACCESS_CHANGED_CHANNEL}. The writer then
 * waits ({@link propagated}) until its own announcement comes back from the channel: Redis
 * sends a message to every subscriber at once, so by then every instance has it too, and the
 * admin request that made the change answers only after that. A load that raced with an
 * invalidation is used by the calls that awaited it but never stored.
 */
@Injectable()
export class AccessCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AccessCache');
  private readonly subjects = new Map<string, CachedSubject>();
  private readonly subjectLoads = new Map<string, Promise<SubjectRow | null>>();
  private subjectEpoch = 0;
  private roles: RoleTable | undefined;
  private rolesLoad: Promise<RoleTable> | undefined;
  private rolesEpoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly broadcast: ChangeBroadcast;

  constructor(
    private readonly repo: AccessRepository,
    private readonly users: UserRepository,
    private readonly events: EventBus,
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly clock: Clock,
  ) {
    this.broadcast = new ChangeBroadcast(
      kv,
      ACCESS_CHANGED_CHANNEL,
      (change) => this.apply(change),
      (message, err) => this.warn(message, err),
    );
  }

  /** Subscribes first (so no change committed meanwhile is missed), then loads the roles. */
  async onModuleInit(): Promise<void> {
    // Boot even without the channel: the periodic refreshes still converge, only more slowly.
    await this.broadcast.start();
    for (const type of USER_EVENTS) {
      this.events.onCommitted(type, (event) => this.onUserEvent(event));
    }
    for (const type of ROLE_EVENTS) {
      this.events.onCommitted(type, () => this.announce(ROLES_MESSAGE));
    }
    await this.roleTable();
    this.timer = setInterval(() => void this.refreshRoles(), ROLES_REFRESH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.broadcast.stop();
  }

  /**
   * The user's roles and lock state; null for an unknown account (not cached, so an account
   * created later is found at once). Pass a UUID.
   * @throws when Postgres cannot be reached on a miss.
   */
  async subject(userId: string): Promise<SubjectRow | null> {
    return this.peek(userId) ?? this.loadSubject(userId);
  }

  /**
   * The user's cached roles and lock state, or undefined when this instance has none (never
   * waits for Postgres). Pass a UUID in lower case.
   */
  peek(userId: string): SubjectRow | undefined {
    const cached = this.subjects.get(userId);
    if (!cached) return undefined;
    // Stale by age only (never by a change: changes delete the entry): answer from memory and
    // re-read behind the caller's back, the safety net for a lost invalidation.
    if (this.clock.nowMs() - cached.loadedAt > SUBJECT_REFRESH_MS) {
      this.loadSubject(userId).catch((err: unknown) => this.warn('user refresh failed', err));
    }
    return cached.subject;
  }

  /**
   * Loads the user into the cache in the background (a no-op when cached or loading), for a
   * caller that could not wait for Postgres, e.g. inside a transaction. Failures are logged.
   */
  warm(userId: string): void {
    if (this.subjects.has(userId) || this.subjectLoads.has(userId)) return;
    this.loadSubject(userId).catch((err: unknown) => this.warn('user load failed', err));
  }

  /**
   * The union of the permissions of `roles`, sorted, from the role table in memory (reloaded
   * first after a role change). Roles that no longer exist grant nothing.
   */
  async permissionsOf(roles: readonly string[]): Promise<string[]> {
    const table = await this.roleTable();
    const permissions = new Set<string>();
    for (const role of roles) {
      for (const permission of table.get(role) ?? []) permissions.add(permission);
    }
    return [...permissions].sort();
  }

  /**
   * Resolves once every change this instance announced so far has come back from the kv
   * channel (so every instance has received it), or after a second at most: a lost
   * announcement must not fail the change, which has committed; the periodic refreshes
   * converge instead. Never rejects.
   */
  propagated(): Promise<void> {
    return this.broadcast.propagated();
  }

  /** Forgets one user here and on every other instance. */
  userChanged(userId: string): void {
    this.announce(`${USER_MESSAGE_PREFIX}${userId}`);
  }

  /** Forgets the role table here and on every other instance. */
  rolesChanged(): void {
    this.announce(ROLES_MESSAGE);
  }

  private onUserEvent(event: IdentityEvent): void {
    const { userId } = event.payload;
    if (userId) this.userChanged(userId);
  }

  /** Applies the change locally at once, then tells every other instance. */
  private announce(change: string): void {
    this.apply(change);
    this.broadcast.announce(change);
  }

  private apply(message: string): void {
    if (message === ROLES_MESSAGE) {
      this.rolesEpoch += 1;
      this.roles = undefined;
      this.rolesLoad = undefined;
    } else if (message.startsWith(USER_MESSAGE_PREFIX)) {
      const userId = message.slice(USER_MESSAGE_PREFIX.length);
      this.subjectEpoch += 1;
      this.subjects.delete(userId);
      this.subjectLoads.delete(userId);
    }
  }

  /** One load per user at a time; stored only if nothing was invalidated meanwhile. */
  private loadSubject(userId: string): Promise<SubjectRow | null> {
    const running = this.subjectLoads.get(userId);
    if (running) return running;
    const epoch = this.subjectEpoch;
    const load = this.readSubject(userId)
      .then((subject) => {
        if (subject && epoch === this.subjectEpoch) this.remember(userId, subject);
        return subject;
      })
      .finally(() => {
        if (this.subjectLoads.get(userId) === load) this.subjectLoads.delete(userId);
      });
    this.subjectLoads.set(userId, load);
    return load;
  }

  /** The account's lock state and roles, as stored now; null for an unknown account. */
  private async readSubject(userId: string): Promise<SubjectRow | null> {
    const [status, roles] = await Promise.all([
      this.users.findStatus(userId),
      this.repo.rolesOf(userId),
    ]);
    return status === null ? null : { roles, locked: isLocked({ status }) };
  }

  private remember(userId: string, subject: SubjectRow): void {
    this.subjects.delete(userId);
    this.subjects.set(userId, { subject, loadedAt: this.clock.nowMs() });
    if (this.subjects.size > MAX_SUBJECTS) {
      const oldest = this.subjects.keys().next();
      if (!oldest.done) this.subjects.delete(oldest.value);
    }
  }

  private roleTable(): Promise<RoleTable> {
    if (this.roles) return Promise.resolve(this.roles);
    this.rolesLoad ??= this.loadRoles();
    return this.rolesLoad;
  }

  private async loadRoles(): Promise<RoleTable> {
    const epoch = this.rolesEpoch;
    try {
      const rows = await this.repo.listRoles();
      const table: RoleTable = new Map(rows.map((r) => [r.name, r.permissions]));
      if (epoch === this.rolesEpoch) this.roles = table;
      return table;
    } finally {
      if (epoch === this.rolesEpoch) this.rolesLoad = undefined;
    }
  }

  /** Background refresh: swaps the table in without making any caller wait. */
  private async refreshRoles(): Promise<void> {
    try {
      const epoch = this.rolesEpoch;
      const rows = await this.repo.listRoles();
      if (epoch === this.rolesEpoch) this.roles = new Map(rows.map((r) => [r.name, r.permissions]));
    } catch (err) {
      this.warn('role refresh failed; retrying next tick', err);
    }
  }

  private warn(message: string, err: unknown): void {
    this.logger.warn(`${message}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
