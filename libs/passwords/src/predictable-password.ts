/**
 * Sequences people walk along when they type a "password": the alphabet, the digits (also
 * wrapping from 9 to 0, as on the number row), the letter and number rows of the common
 * keyboard layouts (QWERTY, QWERTZ, AZERTY), their columns (`1qaz`, `2wsx`, ...) and the
 * number pad's rows and columns. A run may go either way along one of them.
 */
const SEQUENCES: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890123456789',
  '`1234567890-=',
  'qwertyuiop[]\\',
  "asdfghjkl;'",
  'zxcvbnm,./',
  'qwertzuiopü',
  'asdfghjklöä',
  'yxcvbnm',
  'azertyuiop',
  'qsdfghjklm',
  'wxcvbn',
  '1qaz',
  '2wsx',
  '3edc',
  '4rfv',
  '5tgb',
  '6yhn',
  '7ujm',
  '8ik,',
  '9ol.',
  '0p;/',
  '789',
  '456',
  '123',
  '741',
  '852',
  '963',
];

/** A run shorter than this is an accident of ordinary words ("ab", "tt"), not a pattern. */
const MIN_RUN = 3;

/**
 * Whether the password is mostly one repeated character or a keyboard or number sequence:
 * runs of at least {@link MIN_RUN} of one character (`aaaa`) or of neighbours along one
 * sequence (`abcd`, `4321`, `qwerty`, `1qaz2wsx`) cover at least two thirds of it. Such a
 * password is long enough for the length rule and rarely on the common-password list in its
 * exact form (`qwertyuiopas`, `aaaaaaaaaaaa1`), yet it is among the first a guesser tries.
 *
 * `folded` is the password as the policy compares it (NFKC, lower case).
 */
export function isPredictable(folded: string): boolean {
  const chars = [...folded];
  if (chars.length === 0) return false;
  let covered = 0;
  let i = 0;
  while (i < chars.length) {
    const run = longestRunAt(chars, i);
    if (run >= MIN_RUN) {
      covered += run;
      i += run;
    } else {
      i += 1;
    }
  }
  return chars.length - covered < Math.ceil(chars.length / 3);
}

/** The length of the longest repeat or sequence run that starts at `start` (at least 1). */
function longestRunAt(chars: readonly string[], start: number): number {
  let best = repeatRun(chars, start);
  for (const sequence of SEQUENCES) {
    for (const step of [1, -1] as const)
      best = Math.max(best, sequenceRun(chars, start, sequence, step));
  }
  return best;
}

function repeatRun(chars: readonly string[], start: number): number {
  let end = start + 1;
  while (end < chars.length && chars[end] === chars[start]) end++;
  return end - start;
}

/**
 * How many characters from `start` follow `sequence` one step at a time in direction `step`.
 * The digits are listed twice over so that runs across the wrap (`7890`, `9012`, `2109`) count.
 */
function sequenceRun(
  chars: readonly string[],
  start: number,
  sequence: string,
  step: 1 | -1,
): number {
  const symbols = [...sequence];
  let position = positionIn(symbols, chars[start], step);
  if (position < 0) return 1;
  let end = start + 1;
  while (end < chars.length) {
    const next = position + step;
    if (next < 0 || next >= symbols.length || symbols[next] !== chars[end]) break;
    position = next;
    end++;
  }
  return end - start;
}

/**
 * Where `char` sits in `symbols`: its first place when walking forwards, its last when walking
 * backwards, so a sequence listed twice leaves room to walk on.
 */
function positionIn(symbols: readonly string[], char: string | undefined, step: 1 | -1): number {
  if (char === undefined) return -1;
  return step === 1 ? symbols.indexOf(char) : symbols.lastIndexOf(char);
}
