/**
 * Held POP requests: a pop that finds nothing waits up to its `pollTime` for
 * a message to arrive in the topic or the group's pop retry topic, then pops
 * again. Waiters are woken by the store's arrival listener, all of a topic's
 * at once (each re-pops; those that find nothing wait again).
 */
import type { MessageStore } from '../../store/message-store.ts';

/** RocketMQ `maxPopPollingSize`: held pops at once; past it a pop is answered POLLING_FULL. */
export const popPollingMaxDefault = 100_000;

export type WaitOutcome = 'arrived' | 'timeout' | 'full';

interface Waiter {
  topics: readonly string[];
  done: (outcome: WaitOutcome) => void;
}

export class PopLongPolling {
  private readonly byTopic = new Map<string, Set<Waiter>>();
  private count = 0;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(store: MessageStore, private readonly max = popPollingMaxDefault) {
    this.unsubscribe = store.onArrive((topic) => {
      const waiters = this.byTopic.get(topic);
      if (waiters) for (const waiter of [...waiters]) waiter.done('arrived');
    });
  }

  get size(): number {
    return this.count;
  }

  /** Waits for an arrival in any of `topics`, at most `timeoutMs`. */
  wait(topics: readonly string[], timeoutMs: number): Promise<WaitOutcome> {
    if (this.closed || timeoutMs <= 0) return Promise.resolve('timeout');
    if (this.count >= this.max) return Promise.resolve('full');
    return new Promise((resolve) => {
      let finished = false;
      const waiter: Waiter = {
        topics,
        done: (outcome) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          this.remove(waiter);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => waiter.done('timeout'), timeoutMs);
      this.count++;
      for (const topic of topics) {
        let set = this.byTopic.get(topic);
        if (!set) this.byTopic.set(topic, (set = new Set()));
        set.add(waiter);
      }
    });
  }

  /** Ends every wait (broker shutting down). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const set of [...this.byTopic.values()]) for (const waiter of [...set]) waiter.done('timeout');
  }

  private remove(waiter: Waiter): void {
    this.count--;
    for (const topic of waiter.topics) {
      const set = this.byTopic.get(topic);
      set?.delete(waiter);
      if (set?.size === 0) this.byTopic.delete(topic);
    }
  }
}
