// Control and format characters can hide or reorder what a reader sees ("evil.exe" shown as "exe.live"), so typed text holding them is refused.

/** Unicode "other" (Cc, Cf, Cs, Co, Cn) and the line and paragraph separators. */
const HIDDEN_OR_REORDERING = /[\p{C}\p{Zl}\p{Zp}]/u;

/** Whether `value` is text that shows what it says: not blank, no control or format characters. */
export function isPrintableText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength && value.trim() !== '' && !HIDDEN_OR_REORDERING.test(value);
}

/** Characters no event text may hold (controls, separators, bidi controls, broken surrogates); narrower than isPrintableText, as names may hold a zero-width joiner. */
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}\p{Bidi_Control}\u2028\u2029]/u;
export const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'gu');

export const hasUnsafeText = (text: string): boolean => UNSAFE_TEXT.test(text);
