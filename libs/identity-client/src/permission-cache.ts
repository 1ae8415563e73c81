/** What a user may do now, as the platform's `GetUserPermissions` said. */
export interface UserGrants {
  roles: string[];
  permissions: string[];
}

interface Entry {
  grants: UserGrants;
  loadedAt: number;
}

/** Bounds memory: past this many users, the least recently loaded are dropped. */
const MAX_ENTRIES = 50_000;

/**
 * Permissions per user, loaded from the platform on first use and kept for a short time. The
 * revocation stream drops an entry the moment the user's roles (or a role they hold) change;
 * the time limit bounds what a lost drop could cost. A load that raced with a drop is handed
 * to the callers that waited for it but never kept.
 */
export class PermissionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loads = new Map<string, Promise<UserGrants | null>>();
  private epoch = 0;

  constructor(
    private readonly load: (userId: string) => Promise<UserGrants | null>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The user's grants; null for a user the platform does not know.
   * @throws whatever the loader throws (the platform cannot answer).
   */
  get(userId: string): Promise<UserGrants | null> {
    const key = userId.toLowerCase();
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.loadedAt <= this.ttlMs) return Promise.resolve(cached.grants);
    const running = this.loads.get(key);
    if (running) return running;
    const epoch = this.epoch;
    const loading = this.load(key)
      .then((grants) => {
        if (grants && epoch === this.epoch) this.remember(key, grants);
        return grants;
      })
      .finally(() => {
        if (this.loads.get(key) === loading) this.loads.delete(key);
      });
    this.loads.set(key, loading);
    return loading;
  }

  /** The user's roles changed, or the user was locked. */
  dropUser(userId: string): void {
    const key = userId.toLowerCase();
    this.epoch += 1;
    this.entries.delete(key);
    this.loads.delete(key);
  }

  /** A role's permissions changed: every user holding it is stale. */
  dropRole(role: string): void {
    this.epoch += 1;
    for (const [key, entry] of this.entries) {
      if (entry.grants.roles.includes(role)) this.entries.delete(key);
    }
    this.loads.clear();
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
    this.loads.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, grants: UserGrants): void {
    this.entries.delete(key);
    this.entries.set(key, { grants, loadedAt: this.now() });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
