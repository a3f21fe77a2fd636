import { ListenerSet } from '@repovisor/kit';
import type { Disposable } from '@repovisor/kit';
import type { EventLog } from './event-log.js';
import type { RuntimeEvent } from './runtime-event.js';

/** Receives each published event. */
export type EventListener = (event: RuntimeEvent) => void;

/** Options of an {@link EventBus}. */
export interface EventBusOptions {
  slug: string;
  log: EventLog;
  /** Events already in the log, newest last: the bus continues their sequence. */
  history?: RuntimeEvent[];
  /** The session the runtime runs in now, stamped on each event (HydraFlow's `session_id`). */
  session?: () => string | null;
  /** How many recent events to keep in memory for {@link EventBus.recent} (default 2000). */
  memory?: number;
  /** Receives a subscriber's exception or a failed append; the bus carries on. */
  onError?: (error: unknown, where: 'subscriber' | 'log') => void;
}

/**
 * The runtime's event bus: every published event is stamped, appended to the
 * event log and handed to the subscribers. A throwing subscriber never stops
 * the others.
 */
export class EventBus {
  private readonly listeners: ListenerSet<RuntimeEvent>;
  private readonly recentEvents: RuntimeEvent[];
  private readonly memory: number;
  private seq: number;

  constructor(private readonly options: EventBusOptions) {
    this.memory = options.memory ?? 2000;
    this.recentEvents = (options.history ?? []).slice(-this.memory);
    this.seq = this.recentEvents.at(-1)?.seq ?? 0;
    this.listeners = new ListenerSet((error) => options.onError?.(error, 'subscriber'));
  }

  /** Publishes an event of `type` with `data`; returns it as stored. */
  publish(type: string, data: Record<string, unknown> = {}): RuntimeEvent {
    this.seq += 1;
    const event: RuntimeEvent = { seq: this.seq, type, at: new Date().toISOString(), slug: this.options.slug, session: this.options.session?.() ?? null, data };
    this.recentEvents.push(event);
    if (this.recentEvents.length > this.memory) this.recentEvents.shift();
    this.options.log.append(event).catch((error: unknown) => this.options.onError?.(error, 'log'));
    this.listeners.emit(event);
    return event;
  }

  /** Calls `listener` with every event published from now on. */
  subscribe(listener: EventListener): Disposable {
    return this.listeners.add(listener);
  }

  /** The most recent events (history loaded from the log included), oldest first. */
  recent(limit = this.memory): RuntimeEvent[] {
    return this.recentEvents.slice(-limit);
  }

  /** The events in memory after sequence number `since`, oldest first, at most `limit`. */
  since(since: number, limit: number): RuntimeEvent[] {
    const after = this.recentEvents.findIndex((event) => event.seq > since);
    return after === -1 ? [] : this.recentEvents.slice(after, after + limit);
  }

  /** Resolves when every published event is in the log. */
  flush(): Promise<void> {
    return this.options.log.flush();
  }
}
