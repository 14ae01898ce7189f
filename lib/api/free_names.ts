// Binds the free names of a converted function: options.scope, then tf and autograph, then ECMAScript globals.

import type { ScopeInfo } from '../analysis/scopes.js';
import { ConversionError } from '../errors.js';
import { toSourcePosition, type ParsedFunction } from '../parse/parse_function.js';
import { STANDARD_GLOBALS } from '../analysis/globals.js';

/** Rejects assignments to names the function does not declare: converted code cannot reach those variables. */
export function checkFreeWrites(parsed: ParsedFunction, scopes: ScopeInfo): void {
  const write = scopes.references.find((reference) => reference.write && reference.binding === null);
  if (!write) return;
  throw new ConversionError(
    `it assigns to '${write.id.name}', which is declared outside the function. Converted code gets the values ` +
      'of outside names, not the variables themselves, so the assignment would be lost.',
    {
      functionName: parsed.name,
      source: parsed.source,
      position: write.id.loc ? toSourcePosition(parsed, write.id.loc.start) : undefined,
      fix: `return the new value of '${write.id.name}' from the function, or keep it in an object's property.`,
    },
  );
}

/** The value of each free name, in order, or a ConversionError that lists every name that resolves to nothing. */
export function bindFreeNames(
  parsed: ParsedFunction,
  scopes: ScopeInfo,
  scope: Readonly<Record<string, unknown>> | undefined,
  defaults: Readonly<Record<string, unknown>>,
): unknown[] {
  const values: unknown[] = [];
  const missing: string[] = [];
  for (const name of scopes.free.keys()) {
    if (scope && Object.prototype.hasOwnProperty.call(scope, name)) values.push(scope[name]);
    else if (Object.prototype.hasOwnProperty.call(defaults, name)) values.push(defaults[name]);
    else if (STANDARD_GLOBALS.has(name)) values.push((globalThis as Record<string, unknown>)[name]);
    else missing.push(name);
  }
  if (missing.length > 0) {
    const first = scopes.free.get(missing[0]!)!;
    const list = missing.map((name) => `'${name}'`).join(', ');
    const inScope = Object.keys(scope ?? {});
    throw new ConversionError(
      `it uses ${list}, which ${missing.length === 1 ? 'is' : 'are'} not defined in the function, not in ` +
        'options.scope, and not a standard global.',
      {
        functionName: parsed.name,
        source: parsed.source,
        position: first.loc ? toSourcePosition(parsed, first.loc.start) : undefined,
        fix: `pass ${missing.length === 1 ? 'it' : 'them'} in the scope option: toGraph(fn, { scope: { ${[...inScope, ...missing].join(', ')} } }).`,
      },
    );
  }
  return values;
}
