// convert(): toGraph as a decorator, for functions and class methods (standard and legacy decorators).

import { ConversionError } from '../errors.js';
import { checkOptions, type AnyFunction, type ConvertOptions, type GraphFunction } from './options.js';

/** What a standard (TypeScript 5) decorator is told about what it decorates. */
export interface DecoratorContext {
  kind: string;
  name: string | symbol;
}

/** `convert` for the given toGraph (the api entry passes its own, which binds `tf` and `autograph`). */
export function convertWith(toGraph: (fn: AnyFunction, options?: ConvertOptions) => GraphFunction) {
  /**
   * A decorator form of toGraph. `convert(options)(fn)` is `toGraph(fn, options)`; `@convert()` works on
   * class methods as a TypeScript 5 standard decorator, and as a legacy (experimentalDecorators) one.
   */
  return function convert(options?: ConvertOptions) {
    checkOptions(options, 'convert');
    function decorate<F extends AnyFunction>(fn: F): GraphFunction<F>;
    // As a standard decorator the result replaces the method, whose declared type TypeScript checks it
    // against; a converted method returns a promise, so the result is typed loosely here.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above.
    function decorate(fn: AnyFunction, context: DecoratorContext): any;
    function decorate(target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
    function decorate(value: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
      if (descriptor !== undefined) {
        if (typeof descriptor.value !== 'function') {
          throw new ConversionError('@convert() decorates methods, not accessors or fields.', {
            functionName: String(context),
            fix: 'move the computation into a method and decorate that.',
          });
        }
        return { ...descriptor, value: toGraph(descriptor.value as AnyFunction, options) };
      }
      if (context && typeof context === 'object' && 'kind' in context) {
        const { kind, name } = context as DecoratorContext;
        if (kind !== 'method') {
          throw new ConversionError(`@convert() decorates methods, but was applied to a ${kind}.`, {
            functionName: String(name),
            fix: 'move the computation into a method and decorate that.',
          });
        }
      }
      return toGraph(value as AnyFunction, options);
    }
    return decorate;
  };
}
