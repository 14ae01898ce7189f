// The code the loader has evaluated, held weakly: an entry lives as long as the conversion that loaded it.

import type { Mapping } from '../codegen/generate.js';
import type { ParsedFunction } from '../parse/parse_function.js';

export interface LoadedCodeEntry {
  parsed: ParsedFunction;
  /** The code as evaluated: functions defined in it (callbacks, local helpers) are converted already. */
  code: string;
  mappings: readonly Mapping[];
  /** The sourceURL the loader gave the code, as stack frames show it. */
  url: string;
}

/**
 * By URL. A conversion holds its entry; once the conversion is collected (a converted closure that is
 * gone), so is the entry, so converting closures in a loop does not grow this table.
 */
const entries = new Map<string, WeakRef<LoadedCodeEntry>>();
const cleanup = new FinalizationRegistry<string>((url) => {
  if (entries.get(url)?.deref() === undefined) entries.delete(url);
});

export function registerLoadedCode(entry: LoadedCodeEntry): void {
  entries.set(entry.url, new WeakRef(entry));
  cleanup.register(entry, entry.url);
}

export function loadedCodeAt(url: string): LoadedCodeEntry | undefined {
  return entries.get(url)?.deref();
}

/** Every live entry. */
export function* loadedCode(): Generator<LoadedCodeEntry> {
  for (const ref of entries.values()) {
    const entry = ref.deref();
    if (entry) yield entry;
  }
}

/** How many entries are alive, for the specs that check this table stays bounded. */
export function loadedCodeCount(): number {
  let count = 0;
  for (const ref of entries.values()) if (ref.deref()) count++;
  return count;
}
