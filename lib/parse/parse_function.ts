// Reads a function's source with Function.prototype.toString, classifies it, and parses it with acorn.

import { parse as acornParse, type Options as AcornOptions } from 'acorn';
import type * as ESTree from 'estree';
import { ConversionError } from '../errors.js';
import { stripCompilerHelpers } from './compiler_helpers.js';
import { toSourcePosition } from './positions.js';

export type FunctionNode = ESTree.FunctionExpression | ESTree.ArrowFunctionExpression;

/** A user function, parsed: the node, its original text, and how to map parser positions back to that text. */
export interface ParsedFunction {
  /** The name users know the function by (`fn.name`, else the name in the source, else '<anonymous>'). */
  name: string;
  /** The text of `fn.toString()`; positions in errors refer to it. */
  source: string;
  /** The function as an expression: methods become function expressions with the method's parameters and body. */
  node: FunctionNode;
  kind: 'function' | 'arrow' | 'method';
  /** Characters prepended to the first line so that acorn sees an expression (`(` or `({`). */
  prefixLength: number;
}

const acornOptions: AcornOptions = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  locations: true,
  allowAwaitOutsideFunction: false,
};

export { toSourcePosition };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (${String(value)})`;
}

function tryParse(text: string): ESTree.Expression | undefined {
  try {
    const program = acornParse(text, acornOptions) as unknown as ESTree.Program;
    const [statement] = program.body;
    if (program.body.length === 1 && statement?.type === 'ExpressionStatement') return statement.expression;
  } catch {
    // The caller tries the next way of reading the text, and reports the first parse error if none works.
  }
  return undefined;
}

/**
 * The private names (`#k`) that `source` uses, when it parses once a class declares them: as a method of
 * that class, or as an expression inside one of its methods.
 */
function privateNamesIn(source: string): string[] {
  const names = [...new Set([...source.matchAll(/#([\p{L}_$][\p{L}\p{N}_$]*)/gu)].map((match) => match[1]!))];
  if (names.length === 0) return [];
  const declared = names.map((name) => `#${name};`).join(' ');
  const parses =
    tryParse(`(class { ${declared} ${source} })`) !== undefined ||
    tryParse(`(class { ${declared} m() { return (${source}); } })`) !== undefined;
  return parses ? names : [];
}

function parseError(name: string, source: string, prefix: string): ConversionError {
  const [privateName] = privateNamesIn(source);
  if (privateName !== undefined) {
    // Converted code is loaded with `new Function`, outside the class, where `#k` cannot be reached.
    return new ConversionError(
      `it uses the private member #${privateName}, which only code inside its class can reach, and ` +
        'converted code is loaded outside the class.',
      {
        functionName: name,
        source,
        fix:
          `use an ordinary property or method (this.${privateName}) instead of #${privateName}, or mark the ` +
          'function with autograph.doNotConvert(fn) so that it runs as it is, unconverted.',
      },
    );
  }
  try {
    acornParse(prefix + source + (prefix.endsWith('{') ? '})' : ')'), acornOptions);
  } catch (error) {
    const loc = (error as { loc?: ESTree.Position }).loc;
    const message = (error as Error).message.replace(/\s*\(\d+:\d+\)$/, '');
    if (message.includes("'with' in strict mode")) {
      // Converted code is strict, as module code is, and strict code has no `with`.
      return new ConversionError('it uses `with`, which strict code (as converted code is) does not allow.', {
        functionName: name,
        source,
        position: loc ? toSourcePosition({ prefixLength: prefix.length }, loc) : undefined,
        fix: 'read the properties from the object directly: o.a instead of with (o) { a }.',
      });
    }
    return new ConversionError(`its source could not be parsed: ${message}.`, {
      functionName: name,
      source,
      position: loc ? toSourcePosition({ prefixLength: prefix.length }, loc) : undefined,
      fix: 'pass a function written in standard JavaScript (ES2022); TypeScript must be compiled first.',
    });
  }
  return new ConversionError('its source is not a function expression.', { functionName: name, source });
}

/**
 * Parses `fn` into a function node. Rejects, each with a ConversionError naming the problem and the fix:
 * non-functions, native and bound functions, classes, generators, getters and setters, and code
 * downlevelled by a compiler into helpers the converter cannot see through.
 */
export function parseFunction(fn: unknown): ParsedFunction {
  if (typeof fn !== 'function') {
    throw new ConversionError(`expected a function, got ${describeValue(fn)}.`, {
      functionName: '<value>',
      fix: 'pass the function itself, for example toGraph(myFunction).',
    });
  }
  const source = Function.prototype.toString.call(fn);
  const displayName = (fn as { name?: string }).name || '<anonymous>';
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    if (displayName.startsWith('bound ')) {
      throw new ConversionError('it is a bound function, whose source is not available.', {
        functionName: displayName,
        fix: 'convert the original function and bind the result instead: toGraph(fn).bind(obj).',
      });
    }
    throw new ConversionError('it is a native function, whose source is not available.', {
      functionName: displayName,
      fix: 'write the computation in a function of your own and convert that.',
    });
  }
  if (/^class\b/.test(source)) {
    throw new ConversionError('it is a class. Classes are not converted as a whole.', {
      functionName: displayName,
      fix: 'convert its methods: decorate them with @convert(), or use toGraph(MyClass.prototype.method).',
    });
  }
  return parseFunctionSource(source, displayName);
}

/**
 * Parses a function's text as `Function.prototype.toString` gives it (a function or arrow expression, a
 * method): what parseFunction does once it has the text, and what a build step does with the text of a
 * function in a module.
 */
export function parseFunctionSource(source: string, displayName: string): ParsedFunction {
  let prefix = '(';
  let expression = tryParse(`(${source})`);
  let kind: ParsedFunction['kind'];
  let node: FunctionNode | undefined;
  if (expression?.type === 'FunctionExpression' || expression?.type === 'ArrowFunctionExpression') {
    node = expression;
    kind = expression.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
  } else {
    // Method shorthand and class methods print without the `function` keyword.
    prefix = '({';
    expression = tryParse(`({${source}})`);
    let method: ESTree.Property | ESTree.MethodDefinition | undefined;
    if (expression?.type === 'ObjectExpression' && expression.properties.length === 1) {
      const [property] = expression.properties;
      if (property?.type === 'Property' && (property.method || property.kind !== 'init')) method = property;
    }
    if (!method) {
      const classExpression = tryParse(`(class{${source}})`);
      if (classExpression?.type === 'ClassExpression' && classExpression.body.body.length === 1) {
        const [member] = classExpression.body.body;
        if (member?.type === 'MethodDefinition') {
          method = member;
          prefix = '(class{';
        }
      }
    }
    if (!method) throw parseError(displayName, source, '(');
    if (method.kind === 'get' || method.kind === 'set') {
      throw new ConversionError(`it is a ${method.kind}ter. Accessors are not converted.`, {
        functionName: displayName,
        fix: `move the computation into a method or function and convert that; call it from the ${method.kind}ter.`,
      });
    }
    node = method.value as ESTree.FunctionExpression;
    kind = 'method';
  }

  const parsed: ParsedFunction = {
    name:
      displayName !== '<anonymous>'
        ? displayName
        : (node.type === 'FunctionExpression' && node.id?.name) || displayName,
    source,
    node,
    kind,
    prefixLength: prefix.length,
  };
  if (node.generator) {
    throw new ConversionError('it is a generator function. Generators are not converted.', {
      functionName: parsed.name,
      source,
      position: toSourcePosition(parsed, node.loc!.start),
      fix: 'convert a plain or async function; collect the values in an array and return it.',
    });
  }
  stripCompilerHelpers(parsed);
  return parsed;
}
