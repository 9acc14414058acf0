import type { Resource } from '@medplum/fhirtypes';
import { MemoryRepository } from '@medplum/fhir-router';
import { referenceKeys, type ReferenceIndex } from './fast-search.js';

type ResourceMaps = Map<string, Map<string, Resource>>;
type HistoryMaps = Map<string, Map<string, Resource[]>>;

interface Prior {
  readonly resource: Resource | undefined;
  readonly historyLength: number;
}

/**
 * Medplum's in-memory repository made all-or-nothing for transactions. Its own `withTransaction`
 * just runs the callback, so a transaction whose third entry fails leaves the first two behind.
 * Here every write inside a transaction records what it replaced; on failure those keys are put
 * back. Transactions run one at a time (a promise chain), so no other write interleaves.
 */
type Identified = Resource & { identifier?: { system?: string; value?: string }[] };

const identifierKeys = (resource: Resource | undefined): string[] =>
  ((resource as Identified | undefined)?.identifier ?? []).filter((i) => i.value).map((i) => `${resource?.resourceType}|${i.system ?? ''}|${i.value}`);

export class JournaledRepository extends MemoryRepository implements ReferenceIndex {
  private journal: Map<string, Prior> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** `Type|system|value` → ids: Medplum's in-memory search scans every resource with FHIRPath, far too slow for identifier look-ups on each save. */
  private readonly identifiers = new Map<string, Set<string>>();
  /** `Type|param|reference` → ids, for the reference searches of the fast path (part-of, related, target, patient). */
  private readonly references = new Map<string, Set<string>>();
  /** Bumped by every write and rollback (ReferenceIndex): search results kept from before are stale. */
  generation = 0;
  /** `Type/id` of every resource written, deleted or rolled back since `takeChanges` last ran (what the data file must save). */
  private readonly changed = new Set<string>();
  /**
   * `Type/id` → position in the storage order: the order of Medplum's per-type maps, which keep a
   * key where it was first set and append a key set again after a delete. Index hits are put back
   * in this order, so a search lists its matches as Medplum's engine would.
   */
  private readonly ordinals = new Map<string, number>();
  private nextOrdinal = 0;

  private reindex(id: string, before: Resource | undefined, after: Resource | undefined): void {
    this.generation += 1;
    const type = (after ?? before)?.resourceType;
    if (type && !before && after) this.ordinals.set(`${type}/${id}`, this.nextOrdinal++);
    else if (type && before && !after) this.ordinals.delete(`${type}/${id}`);
    for (const [index, keysOf] of [[this.identifiers, identifierKeys], [this.references, referenceKeys]] as const) {
      for (const key of keysOf(before)) index.get(key)?.delete(id);
      for (const key of keysOf(after)) {
        let ids = index.get(key);
        if (!ids) index.set(key, (ids = new Set()));
        ids.add(id);
      }
    }
  }

  *byReference(key: string): Iterable<Resource> {
    const type = key.slice(0, key.indexOf('|'));
    const byId = this.maps.resources.get(type);
    for (const id of this.references.get(key) ?? []) {
      const resource = byId?.get(id);
      if (resource) yield resource;
    }
  }

  /** Ids of the current resources of `type` carrying identifier `system|value`. */
  findByIdentifier(type: string, system: string, value: string): string[] {
    return [...(this.identifiers.get(`${type}|${system}|${value}`) ?? [])];
  }

  /** The current resources of `type` carrying identifier `system|value` (ReferenceIndex; read-only). */
  *byIdentifier(type: string, system: string, value: string): Iterable<Resource> {
    const byId = this.maps.resources.get(type);
    for (const id of this.identifiers.get(`${type}|${system}|${value}`) ?? []) {
      const resource = byId?.get(id);
      if (resource) yield resource;
    }
  }

  /** Position of a current resource in its type's storage order (ReferenceIndex). */
  orderOf(resource: Resource): number {
    return this.ordinals.get(`${resource.resourceType}/${resource.id}`) ?? Number.MAX_SAFE_INTEGER;
  }

  private get maps(): { resources: ResourceMaps; history: HistoryMaps } {
    // The maps are private in Medplum's typings; this sandbox-only class is the one place that reaches them.
    return this as unknown as { resources: ResourceMaps; history: HistoryMaps };
  }

  private remember(resourceType: string, id: string | undefined): void {
    if (!this.journal || !id) return;
    const key = `${resourceType}/${id}`;
    if (this.journal.has(key)) return;
    this.journal.set(key, {
      resource: this.maps.resources.get(resourceType)?.get(id),
      historyLength: this.maps.history.get(resourceType)?.get(id)?.length ?? 0,
    });
  }

  override async createResource<T extends Resource>(resource: T): Promise<T & { id: string }> {
    if (resource.id) this.remember(resource.resourceType, resource.id);
    const before = resource.id ? this.maps.resources.get(resource.resourceType)?.get(resource.id) : undefined;
    const created = await super.createResource(resource);
    this.reindex(created.id, before, created);
    this.changed.add(`${created.resourceType}/${created.id}`);
    // A resource that came without an id did not exist before: rolling back removes it.
    const key = `${created.resourceType}/${created.id}`;
    if (!resource.id && this.journal && !this.journal.has(key)) this.journal.set(key, { resource: undefined, historyLength: 0 });
    return created;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    this.remember(resourceType, id);
    const before = this.maps.resources.get(resourceType)?.get(id);
    await super.deleteResource(resourceType, id);
    this.reindex(id, before, undefined);
    this.changed.add(`${resourceType}/${id}`);
  }

  private rollback(journal: Map<string, Prior>): void {
    for (const [key, prior] of journal) {
      const [type = '', id = ''] = key.split('/');
      const current = this.maps.resources.get(type);
      this.reindex(id, current?.get(id), prior.resource);
      this.changed.add(key);
      if (prior.resource) current?.set(id, prior.resource);
      else current?.delete(id);
      const history = this.maps.history.get(type)?.get(id);
      if (history) history.length = prior.historyLength;
    }
  }

  /**
   * Runs `work` alone: writes queue behind each other, so a transaction's reads, checks and writes
   * see no other write in between. Callers wrap every write request in it.
   */
  runExclusive<TResult>(work: () => Promise<TResult>): Promise<TResult> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Journals every write made by `callback` and undoes them all if it throws. Call inside runExclusive. */
  override async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    if (this.journal) return callback(undefined); // nested: part of the outer transaction
    const journal = new Map<string, Prior>();
    this.journal = journal;
    try {
      return await callback(undefined);
    } catch (error) {
      this.rollback(journal);
      throw error;
    } finally {
      this.journal = undefined;
    }
  }

  /** The current resources of one type (read-only: callers clone what they hand out). */
  resourcesOfType(type: string): Iterable<Resource> {
    return this.maps.resources.get(type)?.values() ?? [];
  }

  /**
   * The resources changed since the last call, each as it is now (`undefined`: deleted), and forgets
   * them. Called between writes (inside runExclusive), so a transaction is seen whole or not at all.
   */
  takeChanges(): { key: string; resource: Resource | undefined }[] {
    const changes = [...this.changed].map((key) => {
      const slash = key.indexOf('/');
      return { key, resource: this.maps.resources.get(key.slice(0, slash))?.get(key.slice(slash + 1)) };
    });
    this.changed.clear();
    return changes;
  }

  /** Every current resource, for saving the sandbox's data to a file. */
  snapshot(): Resource[] {
    return [...this.maps.resources.values()].flatMap((byId) => [...byId.values()]);
  }
}
