import { StartingServer } from '../http/starting-server';

// Listens before Nest and the stores load (seconds on a busy machine), so /health answers within 2 s of start (issue 11, item 1).

let early: Promise<StartingServer> | undefined;

/** Starts listening on PORT and HOST as `mappa serve` will; a failure is the serve command's to report. */
export function listenEarly(env: NodeJS.ProcessEnv = process.env): void {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return; // loadConfig says why
  const eventStore = env.EVENT_STORE?.trim() || 'embedded';
  const starting = new StartingServer(/^esdb/.test(eventStore) ? 'eventstoredb' : eventStore);
  early = starting.listen(port, env.HOST?.trim() || '127.0.0.1').then(() => starting);
  early.catch(() => undefined); // awaited by takeEarlyServer
}

/** The server listenEarly() started (rejecting if it could not listen), or null when none was. */
export function takeEarlyServer(): Promise<StartingServer> | null {
  const taken = early ?? null;
  early = undefined;
  return taken;
}
