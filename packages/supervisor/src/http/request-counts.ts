import { SupervisorRequests, WorkerRequests, onSettledRequest } from '@repovisor/protocol';
import type { Disposable } from '@repovisor/kit';
import type { SettledRequest } from '@repovisor/protocol';

/** How many requests of one method ended one way. */
export interface RequestCount {
  readonly method: string;
  readonly outcome: SettledRequest['outcome'];
  count: number;
}

// A method the protocol does not know is counted as `other`: a peer must not be able to add series.
const KNOWN_METHODS = new Set<string>([...Object.values(WorkerRequests), ...Object.values(SupervisorRequests)].map((spec) => spec.method));

/**
 * Every control-protocol request the process settles, in either direction
 * (the supervisor's `health`, `shutdown`…, the workers' `hello`), counted per
 * method and outcome from its creation until it is disposed.
 */
export class ProtocolRequestCounts implements Disposable {
  private readonly counts = new Map<string, RequestCount>();
  private readonly subscription: Disposable;

  constructor() {
    this.subscription = onSettledRequest((request) => this.add(request));
  }

  /** The counts so far, one per method and outcome seen. */
  all(): Iterable<Readonly<RequestCount>> {
    return this.counts.values();
  }

  /** Stops counting. */
  dispose(): void {
    this.subscription.dispose();
  }

  private add({ method, outcome }: SettledRequest): void {
    const name = KNOWN_METHODS.has(method) ? method : 'other';
    const key = `${name} ${outcome}`;
    const entry = this.counts.get(key);
    if (entry === undefined) this.counts.set(key, { method: name, outcome, count: 1 });
    else entry.count += 1;
  }
}
