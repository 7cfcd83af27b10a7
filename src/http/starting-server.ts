import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { StoreUnavailableError } from '../errors';

/** Listens before the store is open, so /health answers within 2 s of start (issue 11, item 1); until handed the application, everything but liveness is 503. */
export class StartingServer {
  readonly server: Server;
  private handedOver = false;

  constructor(private readonly eventStore: string) {
    this.server = createServer(this.answerWhileStarting);
  }

  async listen(port: number, host: string): Promise<void> {
    this.server.listen(port, host);
    await Promise.race([once(this.server, 'listening'), once(this.server, 'error').then(([error]) => Promise.reject(error))]);
  }

  /** From now on every request goes to `application` (Express, once the Nest app is initialised). */
  handOver(application: RequestListener): void {
    if (this.handedOver) return;
    this.handedOver = true;
    this.server.removeListener('request', this.answerWhileStarting);
    this.server.on('request', application);
  }

  private readonly answerWhileStarting = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '').split('?')[0];
    const starting = { status: 'starting', eventStore: this.eventStore, lastPosition: null };
    if (request.method === 'GET' && (path === '/health' || path === '/health/live')) return send(response, 200, path === '/health' ? starting : { status: 'starting' });
    response.setHeader('Retry-After', '2');
    if (request.method === 'GET' && path === '/health/ready') {
      return send(response, 503, { ...starting, reasons: ['The service is starting: it is opening the event store and the read models.'] });
    }
    send(response, 503, new StoreUnavailableError('The service is starting: it is opening the event store. Try again in a few seconds.').toBody());
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(text);
}
