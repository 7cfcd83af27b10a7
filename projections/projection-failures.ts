/**
 * Who hears of a projection batch that failed (the operator's metrics, when the service runs): the
 * read models name no listener, so the metrics room depends on them and not the other way round.
 */
export class ProjectionFailures {
  private readonly listeners: ((error: unknown) => void)[] = [];
  listen(listener: (error: unknown) => void): void {
    this.listeners.push(listener);
  }
  report(error: unknown): void {
    for (const listener of this.listeners) listener(error);
  }
}
