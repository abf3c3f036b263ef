// A small seeded PRNG (mulberry32): the dev preview's fake data and the renderer-scale benchmark's synthetic
// cluster draw from it, so screenshots and benchmark runs see the same nodes and guests every time.
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
