// Text a person typed and another person will read (a token's `sub`, a read's `reason`): it must
// show what it says. Control and format characters can hide or reorder what is shown (a
// right-to-left override makes "evil.exe" read as "exe.live"), so they are refused outright.

/**
 * Unicode "other" (controls Cc, format Cf such as U+200E/F, U+202A-202E, U+2066-2069, U+FEFF,
 * lone surrogates Cs, private use Co, unassigned Cn) and the line and paragraph separators.
 */
const HIDDEN_OR_REORDERING = /[\p{C}\p{Zl}\p{Zp}]/u;

/** Whether `value` is text that shows what it says: not blank, no control or format characters. */
export function isPrintableText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength && value.trim() !== '' && !HIDDEN_OR_REORDERING.test(value);
}

/**
 * Characters no text in an event may hold: control characters (C0, DEL, C1: NUL among them, which
 * PostgreSQL's jsonb cannot store), line and paragraph separators, the bidirectional controls that
 * can make a reason read differently on an auditor's screen than it was written, and halves of
 * broken surrogate pairs (not Unicode at all). Narrower than isPrintableText: free text may hold
 * other format characters (a zero-width joiner in a name of an offence).
 */
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}\p{Bidi_Control}\u2028\u2029]/u;
export const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'gu');

export const hasUnsafeText = (text: string): boolean => UNSAFE_TEXT.test(text);
