import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizePassword } from './password-normalization';

/**
 * 100,000 common passwords (see `data/README.md` for source and licence). A data file rather
 * than a package: no npm package exposes a list that large. The build must ship the `data`
 * folder beside `src`, as it ships `proto/`.
 */
export const COMMON_PASSWORDS_PATH = join(__dirname, '..', 'data', 'common-passwords.txt');

let loading: Promise<ReadonlySet<string>> | undefined;

/**
 * The common-password list as a Set of NFKC, lower-cased entries, read from disk once per
 * process and shared by every caller.
 * @throws Error when the list cannot be read; the next call tries again.
 */
export function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  loading ??= readFile(COMMON_PASSWORDS_PATH, 'utf8').then(toSet, (error: unknown) => {
    loading = undefined;
    throw new Error(
      `Cannot read the common-password list at ${COMMON_PASSWORDS_PATH}; the build must copy libs/passwords/data`,
      { cause: error },
    );
  });
  return loading;
}

function toSet(text: string): ReadonlySet<string> {
  const set = new Set<string>();
  for (const line of text.split('\n')) {
    // Folded here as well as in the file, so a hand edit cannot add an entry that never matches.
    const entry = foldPassword(line.replace(/\r$/, ''));
    if (entry) set.add(entry);
  }
  return set;
}

/** The form in which passwords are compared with the list: NFKC, then case-insensitive. */
export function foldPassword(password: string): string {
  return normalizePassword(password).toLowerCase();
}
