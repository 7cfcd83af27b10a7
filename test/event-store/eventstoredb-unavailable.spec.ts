import { createServer, type Server, type Socket } from 'node:net';
import { StoreUnavailableError } from '../../src/errors';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { appendOf, levelChanged } from '../support/offender-event-fixtures';

/**
 * The real ESDB client against a server that accepts TCP connections and never answers: the
 * client alone would wait forever; the adapter must answer 503 within its own timeout.
 */
describe('EventStoreDbEventStore when the server accepts connections but never answers', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    store = EventStoreDbEventStore.fromConnectionString(`esdb://127.0.0.1:${port}?tls=false`, { timeoutMs: 300 });
  });

  afterAll(async () => {
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const expectUnavailableWithin = async (call: () => Promise<unknown>, ms: number) => {
    const started = Date.now();
    const error = await call().then(
      () => new Error('expected the call to fail'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).status).toBe(503);
    expect((error as StoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(ms);
  };

  it('answers readStream with 503 within the timeout', async () => {
    await expectUnavailableWithin(() => store.readStream('GM-1'), 5000);
  });

  it('answers appendToStreams with 503 within the timeout', async () => {
    await expectUnavailableWithin(() => store.appendToStreams([appendOf('GM-1', 'any', [levelChanged('GM-1')])]), 5000);
  });

  it('answers lastPosition and readAll with 503 within the timeout', async () => {
    await expectUnavailableWithin(() => store.lastPosition(), 5000);
    await expectUnavailableWithin(() => store.readAll(null, 10), 5000);
  });

  it('actually reached the server (the timeout is the adapter’s, not a refused connection)', () => {
    expect(sockets.size).toBeGreaterThan(0);
  });

  it('closes promptly even though the server never answers', async () => {
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
