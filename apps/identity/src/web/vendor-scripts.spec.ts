import { loadVendorScripts } from './vendor-scripts';

describe('loadVendorScripts', () => {
  const scripts = loadVendorScripts();

  it("serves UAParser.js's browser build", () => {
    expect(scripts.get('/vendor/ua-parser.min.js')?.body).toContain('UAParser');
  });

  it('serves zxcvbn-ts as ES modules whose only bare import points at a served URL', () => {
    const index = scripts.get('/vendor/zxcvbn-core/index.mjs');
    expect(index?.body).toContain('ZxcvbnFactory');
    expect(scripts.get('/vendor/zxcvbn-language-common/index.mjs')?.body).toContain(
      'adjacencyGraphs',
    );
    for (const [path, script] of scripts) {
      if (!path.endsWith('.mjs')) continue;
      for (const match of script.body.matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        const target = match[1]!;
        // Relative imports resolve within the same served directory; anything else is served.
        const resolved = target.startsWith('.')
          ? new URL(target, `http://x${path}`).pathname
          : target;
        expect({ path, target, served: scripts.has(resolved) }).toEqual({
          path,
          target,
          served: true,
        });
      }
    }
  });
});
