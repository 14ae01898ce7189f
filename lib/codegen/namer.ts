// Hands out fresh names for generated code, avoiding every name the user's function already uses.

export class Namer {
  private readonly taken: Set<string>;
  /** Per base, the suffix to try next: a thousand `get_state`s cost a thousand lookups, not half a million. */
  private readonly next = new Map<string, number>();

  constructor(usedNames: Iterable<string>) {
    this.taken = new Set(usedNames);
  }

  /** Returns `base` if unused, else `base_1`, `base_2`, ...; the result is then taken. Deterministic per input. */
  fresh(base: string): string {
    let i = this.next.get(base) ?? 0;
    let name = i === 0 ? base : `${base}_${i}`;
    while (this.taken.has(name)) name = `${base}_${++i}`;
    this.next.set(base, i + 1);
    this.taken.add(name);
    return name;
  }
}
