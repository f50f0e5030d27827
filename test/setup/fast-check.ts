import fc from 'fast-check';

// Property tests run the same cases on every machine and every run, so a
// failure in CI reproduces locally. Set APOGEE_FC_SEED to explore other cases;
// the seed of a failing run is printed with its counterexample.
const seed = Number(process.env.APOGEE_FC_SEED ?? 20261204);
fc.configureGlobal({ seed: Number.isInteger(seed) ? seed : 20261204 });
