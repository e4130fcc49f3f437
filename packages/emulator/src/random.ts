// Reproducible randomness: the same seed gives the same numbers, on every run and every platform. The
// emulator draws its fault rates from it (`--seed`), and `@square-customers/emulator/testing` exports it
// for test data and workloads that must repeat exactly (the CLI's mirror workload, the benchmarks).

/** A small, fast seeded PRNG (mulberry32): a function returning the seed's next number in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
