/** The cache namespaces shared by every worker. */
export type CacheNamespace = 'analysis' | 'research' | 'templates' | 'agents';

/** A key-value cache of JSON-serializable values, per namespace. */
export interface Cache {
  get<T>(namespace: CacheNamespace, key: string): Promise<T | undefined>;
  set<T>(namespace: CacheNamespace, key: string, value: T, ttlSeconds?: number): Promise<void>;
  /**
   * The value for a key, computing it at most once at a time for the same key
   * (across the cluster when the cache is shared).
   */
  getOrCompute<T>(namespace: CacheNamespace, key: string, compute: () => Promise<T>, ttlSeconds?: number): Promise<T>;
}
