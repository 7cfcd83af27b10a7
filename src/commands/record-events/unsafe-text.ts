// Characters no text in an event may hold, and how error messages quote what a caller sent.

/**
 * Control characters (C0, DEL, C1: NUL among them, which PostgreSQL's jsonb cannot store), line and
 * paragraph separators, the bidirectional controls that can make a reason read differently on an
 * auditor's screen than it was written, and halves of broken surrogate pairs (not Unicode at all).
 */
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}\p{Bidi_Control}\u2028\u2029]/u;
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'gu');

/** Longest piece of a caller's input an error message repeats (docs/security.md, section 4). */
export const ECHO_MAX_CHARS = 64;

export const hasUnsafeText = (text: string): boolean => UNSAFE_TEXT.test(text);

/** Input quoted in an error message: unsafe characters shown as U+FFFD, at most 64 characters. */
export function echoInput(text: string): string {
  const shown = text.length > ECHO_MAX_CHARS ? `${text.slice(0, ECHO_MAX_CHARS - 1)}…` : text;
  return shown.replace(UNSAFE_TEXT_ALL, '\ufffd');
}
