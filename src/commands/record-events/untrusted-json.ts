import sjson from 'secure-json-parse';
import { InvalidInputError } from '../../errors';
import { ECHO_MAX_LENGTH, echo } from '../../errors';

// Posted JSON (the body of POST /offenders/{id}/events, each NDJSON line of POST /events and of
// `mappa import`) is parsed by secure-json-parse, a parser made for untrusted input: a `__proto__`
// key, or a `constructor` holding a `prototype`, is refused instead of becoming part of the event.

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** The JSON value of `text`, or a 400 naming what is wrong; `what` says where the text came from. */
export function parseUntrustedJson(text: string, what: 'line' | 'request body'): unknown {
  try {
    return sjson.parse(text, null, PARSE_OPTIONS);
  } catch (error) {
    // secure-json-parse does not say which key it refused; its refusal is rare, malformed JSON is
    // not (junk lines), so only the refusal pays for a second parse to find the key.
    const plain = isPrototypeRefusal(error) ? tryJsonParse(text) : undefined;
    if (plain === undefined) {
      throw new InvalidInputError(`The ${what} is not valid JSON.`, [{ rule: 'json', message: 'malformed JSON' }]);
    }
    const field = prototypeKeyPath(plain.value) ?? '__proto__';
    throw new InvalidInputError(`The ${what} has a field named ${echo(field)}, which no event has.`, [
      { field: echo(field), rule: 'forbidden-key', message: `${echo(field)} is not a field of an event` },
    ]);
  }
}

/** secure-json-parse's own refusal, as opposed to JSON.parse's syntax errors. */
const isPrototypeRefusal = (error: unknown): boolean => error instanceof SyntaxError && /forbidden prototype property/.test(error.message);

function tryJsonParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Path of the first `__proto__` or `constructor` key, breadth first (no recursion: input may be deep). */
function prototypeKeyPath(root: unknown): string | null {
  let level: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { value, path } of level) {
      if (value === null || typeof value !== 'object') continue;
      for (const key of Object.keys(value)) {
        // A path already longer than an error message shows grows no further.
        const keyPath = path.length > ECHO_MAX_LENGTH ? path : path ? `${path}.${key}` : key;
        if (key === '__proto__' || key === 'constructor') return keyPath;
        next.push({ value: (value as Record<string, unknown>)[key], path: keyPath });
      }
    }
    level = next;
  }
  return null;
}
