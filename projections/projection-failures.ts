/** Who hears of a failed projection batch; the read models name no listener, so metrics depend on them and not the reverse. */
export class ProjectionFailures {
  private readonly listeners: ((error: unknown) => void)[] = [];
  listen(listener: (error: unknown) => void): void {
    this.listeners.push(listener);
  }
  report(error: unknown): void {
    for (const listener of this.listeners) listener(error);
  }
}
