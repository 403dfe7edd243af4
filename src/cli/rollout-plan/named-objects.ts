// Objects of one kind in a simulated cluster, by name: what the API server would hold after the
// controller's writes. Never mutated in place: every change stores a new object.
import type { KubeObject } from '../../api/meta.ts';

export class NamedObjects<T extends KubeObject> {
  private readonly objects = new Map<string, T>();

  constructor(objects: readonly T[]) {
    for (const obj of objects) this.put(obj);
  }

  /** In the order they were first stored. */
  list(): T[] {
    return [...this.objects.values()];
  }

  get(name: string | undefined): T | undefined {
    return this.objects.get(name ?? '');
  }

  has(name: string | undefined): boolean {
    return this.objects.has(name ?? '');
  }

  /** Stores `obj` under its name, replacing the object of that name. */
  put(obj: T): void {
    this.objects.set(obj.metadata.name ?? '', obj);
  }

  /** Applies `change` to the object of that name, if there is one. */
  update(name: string | undefined, change: (obj: T) => T): void {
    const current = this.get(name);
    if (current !== undefined) this.put(change(current));
  }

  remove(name: string | undefined): void {
    this.objects.delete(name ?? '');
  }
}
