import sjson from 'secure-json-parse';
import { InvalidInputError } from '../../errors';
import { eventLimitErrors } from './event-limits';

// Posted JSON is parsed by secure-json-parse so a `__proto__` or `constructor.prototype` key is refused rather than becoming part of the event.

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** The JSON value of `text`, or a 400 naming what is wrong; `what` says where the text came from. */
export function parseUntrustedJson(text: string, what: 'line' | 'request body'): unknown {
  try {
    return sjson.parse(text, null, PARSE_OPTIONS);
  } catch (error) {
    // Only the rare prototype refusal pays a second parse to name the key; malformed junk lines do not.
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
