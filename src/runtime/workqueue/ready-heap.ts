// A binary min-heap of items by ready time: the delaying queue's waiting list, so the earliest
// deadline is found in O(1) and added or removed in O(log n) (upstream: client-go
// util/workqueue/delaying_queue.go waitForPriorityQueue).

export interface WaitingEntry<T> {
  readonly item: T;
  /** Clock time (ms since the epoch) at which the item should be added to the queue. */
  readonly readyAt: number;
}

export class ReadyHeap<T> {
  private readonly entries: WaitingEntry<T>[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** The entry with the earliest `readyAt`, without removing it. */
  peek(): WaitingEntry<T> | undefined {
    return this.entries[0];
  }

  push(entry: WaitingEntry<T>): void {
    this.entries.push(entry);
    this.siftUp(this.entries.length - 1);
  }

  /** Removes and returns the entry with the earliest `readyAt`. */
  pop(): WaitingEntry<T> | undefined {
    const top = this.entries[0];
    const last = this.entries.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.entries.length > 0) {
      this.entries[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private readyAt(index: number): number {
    return this.entries[index]?.readyAt ?? Infinity;
  }

  private swap(a: number, b: number): void {
    const ea = this.entries[a];
    const eb = this.entries[b];
    if (ea === undefined || eb === undefined) return;
    this.entries[a] = eb;
    this.entries[b] = ea;
  }

  private siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (this.readyAt(parent) <= this.readyAt(child)) return;
      this.swap(parent, child);
      child = parent;
    }
  }

  private siftDown(index: number): void {
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (this.readyAt(left) < this.readyAt(smallest)) smallest = left;
      if (this.readyAt(right) < this.readyAt(smallest)) smallest = right;
      if (smallest === parent) return;
      this.swap(parent, smallest);
      parent = smallest;
    }
  }
}
