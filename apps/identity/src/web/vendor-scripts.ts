import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** One browser script the web UI loads from an npm package, as served. */
export interface VendorScript {
  body: string;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';

/** The installed package's directory: up from its resolved entry point to its package.json. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!readdirSync(dir).includes('package.json')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${name}'s entry point`);
    dir = parent;
  }
  return dir;
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, suffix);
    return entry.name.endsWith(suffix) ? [path] : [];
  });
}

/**
 * The web UI's third-party browser code, read from the installed packages once, under fixed
 * URLs (a fixed table: no request names a file on disk):
 * - `/vendor/ua-parser.min.js`: UAParser.js's browser build (names devices, "Chrome on macOS");
 * - `/vendor/zxcvbn-core/*.mjs`, `/vendor/zxcvbn-language-common/*.mjs`: zxcvbn-ts's ES
 *   modules (the password strength meter), with their bare imports (`fastest-levenshtein`,
 *   `@zxcvbn-ts/dictionary-compression/decompress`) pointed at the URLs those are served at,
 *   since a page has no import map under the strict CSP.
 */
export function loadVendorScripts(): Map<string, VendorScript> {
  const scripts = new Map<string, VendorScript>();
  const uaParser = packageDir('ua-parser-js');
  scripts.set('/vendor/ua-parser.min.js', {
    body: readFileSync(join(uaParser, 'dist', 'ua-parser.min.js'), 'utf8'),
    contentType: JS,
  });
  // The modules' bare imports, and the URL each is served at instead.
  const bare: Record<string, { url: string; file: string }> = {
    'fastest-levenshtein': {
      url: '/vendor/fastest-levenshtein.mjs',
      file: join(packageDir('fastest-levenshtein'), 'esm', 'mod.js'),
    },
    '@zxcvbn-ts/dictionary-compression/decompress': {
      url: '/vendor/zxcvbn-decompress.mjs',
      file: join(
        packageDir('@zxcvbn-ts/dictionary-compression/decompress'),
        'dist',
        'decompress.mjs',
      ),
    },
  };
  const pointAtServed = (source: string) =>
    source.replace(
      /(from|import)\s*(['"])([^'"./][^'"]*)\2/g,
      (whole, keyword: string, _q, name: string) => {
        const target = bare[name];
        return target ? `${keyword} '${target.url}'` : whole;
      },
    );
  for (const { url, file } of Object.values(bare)) {
    scripts.set(url, { body: pointAtServed(readFileSync(file, 'utf8')), contentType: JS });
  }
  const modules: [string, string][] = [
    ['/vendor/zxcvbn-core/', join(packageDir('@zxcvbn-ts/core'), 'dist')],
    ['/vendor/zxcvbn-language-common/', join(packageDir('@zxcvbn-ts/language-common'), 'dist')],
  ];
  for (const [prefix, dir] of modules) {
    for (const file of filesUnder(dir, '.mjs')) {
      const body = pointAtServed(readFileSync(file, 'utf8'));
      scripts.set(prefix + relative(dir, file).split(sep).join('/'), { body, contentType: JS });
    }
  }
  return scripts;
}
