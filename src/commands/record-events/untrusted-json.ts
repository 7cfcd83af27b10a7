import sjson from 'secure-json-parse';
import { InvalidInputError } from '../../errors';
import { eventLimitErrors } from './event-limits';

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
    // The event limits' own walk names the key (its path already quoted to 64 characters).
    const field = eventLimitErrors(plain.value).find((d) => d.rule === 'forbidden-key')?.field ?? '__proto__';
    throw new InvalidInputError(`The ${what} has a field named ${field}, which no event has.`, [{ field, rule: 'forbidden-key', message: `${field} is not a field of an event` }]);
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
