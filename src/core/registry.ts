/** Look-up by name with errors that list the valid names and the nearest match (MONAI's `look_up_option`). */

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The valid name closest to `name` (ties: first in order), or undefined when there are none. */
export function nearest(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(name.toLowerCase(), v.toLowerCase());
    if (d < bestD) [best, bestD] = [v, d];
  }
  return best;
}

/** Error for an unknown name: what was asked for, the nearest match and every valid name. */
export function unknownNameError(kind: string, name: string, valid: readonly string[]): Error {
  const near = nearest(name, valid);
  return new Error(`unknown ${kind} '${name}'${near ? `; did you mean '${near}'?` : ''} Valid ${kind}s: ${valid.join(', ')}`);
}

/** Checks that `value` is one of `valid`, or throws the error above. */
export function lookUpOption<T extends string>(kind: string, value: string, valid: readonly T[]): T {
  if ((valid as readonly string[]).includes(value)) return value as T;
  throw unknownNameError(kind, value, valid);
}

/** A registry of named entries (presets, losses, metrics, readers). */
export class Registry<T> {
  private readonly entries = new Map<string, T>();
  constructor(readonly kind: string) {}

  register(name: string, entry: T): this {
    if (this.entries.has(name)) throw new Error(`${this.kind} '${name}' is registered twice`);
    this.entries.set(name, entry);
    return this;
  }

  get(name: string): T {
    const entry = this.entries.get(name);
    if (entry === undefined) throw unknownNameError(this.kind, name, this.names());
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}
