/**
 * `/strength.mjs`: the password strength meter's estimator, an ES module that loads zxcvbn-ts
 * (about 2.5 MB with its dictionaries) only when a page first asks for an estimate, so pages
 * that never show a new-password field never fetch it. Kept as text here, not as a file under
 * `static/`, because the build compiles every script there to CommonJS, which a browser
 * cannot import. `app.js` calls `window.IdentityStrength.estimate(password, userInputs)`,
 * which resolves to zxcvbn's `{ score: 0..4, feedback: { warning, suggestions } }`.
 */
export const STRENGTH_MODULE = `let checker;

async function load() {
  const [core, common] = await Promise.all([
    import('/vendor/zxcvbn-core/index.mjs'),
    import('/vendor/zxcvbn-language-common/index.mjs'),
  ]);
  const factory = new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary },
    graphs: common.adjacencyGraphs,
  });
  return (password, userInputs) => factory.check(password, userInputs);
}

window.IdentityStrength = {
  async estimate(password, userInputs = []) {
    checker ??= load();
    return (await checker)(password, userInputs);
  },
};
`;
