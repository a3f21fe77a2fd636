import type { ConnectionLogger } from './connection-options.js';

/** A connection's logger, tagging every entry with the connection's label; silent without a logger. */
export class ConnectionLog {
  constructor(
    private readonly logger: ConnectionLogger | undefined,
    private readonly label: string,
  ) {}

  /** Something an operator should see: an oversize line, a failing handler, a transport error. */
  warn(obj: object, msg: string): void {
    this.logger?.warn({ connection: this.label, ...obj }, msg);
  }

  /** A detail for debugging: ignored messages, late responses. */
  debug(obj: object, msg: string): void {
    this.logger?.debug?.({ connection: this.label, ...obj }, msg);
  }
}
