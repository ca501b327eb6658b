/**
 * Seeded random numbers. Every random choice in the library draws from an `Rng` passed in; nothing calls
 * `Math.random`. The generator is PCG-XSH-RR-like on 64-bit state split into two 32-bit halves (SplitMix64 seeding),
 * and its whole state can be saved and restored (`state()` / `Rng.fromState`).
 */
export class Rng {
  private hi: number;
  private lo: number;
  private spare: number | undefined;

  constructor(seed = 0) {
    // SplitMix32-style scrambling of the seed into two non-zero words.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.hi = next() | 1;
    this.lo = next();
  }

  /** Uniform 32-bit unsigned integer (xorshift64* on the two halves). */
  nextUint32(): number {
    let hi = this.hi, lo = this.lo;
    // x ^= x >> 12
    lo ^= (lo >>> 12) | (hi << 20); hi ^= hi >>> 12;
    // x ^= x << 25
    hi ^= (hi << 25) | (lo >>> 7); lo ^= lo << 25;
    // x ^= x >> 27
    lo ^= (lo >>> 27) | (hi << 5); hi ^= hi >>> 27;
    this.hi = hi >>> 0; this.lo = lo >>> 0;
    // multiply by 0x2545F4914F6CDD1D and keep the high 32 bits' mix
    const m = Math.imul(this.lo, 0x4f6cdd1d) ^ Math.imul(this.hi, 0x2545f491);
    return (m ^ (m >>> 15)) >>> 0;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with uniform values in [lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** The generator's whole state, JSON-safe. */
  state(): [number, number, number | null] {
    return [this.hi, this.lo, this.spare ?? null];
  }

  static fromState(state: [number, number, number | null]): Rng {
    const r = new Rng(0);
    [r.hi, r.lo] = [state[0] >>> 0, state[1] >>> 0];
    r.spare = state[2] ?? undefined;
    return r;
  }
}
