// Hands out fresh names for generated code, avoiding every name the user's function already uses.

export class Namer {
  private readonly taken: Set<string>;

  constructor(usedNames: Iterable<string>) {
    this.taken = new Set(usedNames);
  }

  /** Returns `base` if unused, else `base_1`, `base_2`, ...; the result is then taken. Deterministic per input. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}
