// Reading and classifying functions: every accepted form parses, every rejected one says why and what to do.
import { expect } from 'chai';
import { ConversionError } from '../../lib/index.js';
import { parseFunction } from '../../lib/parse/parse_function.js';

function rejection(value: unknown): ConversionError {
  try {
    parseFunction(value);
  } catch (error) {
    expect(error).to.be.instanceOf(ConversionError);
    return error as ConversionError;
  }
  expect.fail('expected a ConversionError');
}

describe('parseFunction', () => {
  describe('accepts', () => {
    const object = {
      method(x: number) {
        return x;
      },
      async asyncMethod(x: number) {
        return x;
      },
      ['computed' + 1](x: number) {
        return x;
      },
    };
    class Holder {
      static staticMethod(x: number) {
        return x;
      }
      instanceMethod(x: number) {
        return x;
      }
      #hidden(x: number) {
        return x;
      }
      get hidden() {
        return this.#hidden;
      }
    }
    const cases: [string, unknown, string][] = [
      ['a function declaration', function declared(x: number) { return x; }, 'function'], // prettier-ignore
      ['an anonymous function expression', (() => function (x: number) { return x; })(), 'function'], // prettier-ignore
      ['an arrow with an expression body', (x: number) => x, 'arrow'],
      ['an arrow with a block body', (x: number) => { return x; }, 'arrow'], // prettier-ignore
      ['an async function', async function asyncFn(x: number) { return x; }, 'function'], // prettier-ignore
      ['an async arrow', async (x: number) => x, 'arrow'],
      ['method shorthand', object.method, 'method'],
      ['an async method', object.asyncMethod, 'method'],
      ['a computed method name', object['computed1'], 'method'],
      ['a static class method', Holder.staticMethod, 'method'],
      ['a class method', Holder.prototype.instanceMethod, 'method'],
      ['a private class method', new Holder().hidden, 'method'],
      ['default, rest and destructured parameters', function params({ a }: { a: number }, [b]: number[], c = 1, ...d: number[]) { return a + (b ?? 0) + c + d.length; }, 'function'], // prettier-ignore
    ];
    for (const [title, fn, kind] of cases) {
      it(title, () => {
        const parsed = parseFunction(fn);
        expect(parsed.kind).to.equal(kind);
        expect(parsed.source).to.equal(Function.prototype.toString.call(fn));
      });
    }
  });

  describe('rejects', () => {
    it('values that are not functions', () => {
      for (const value of [1, 'fn', null, undefined, {}, []]) {
        const error = rejection(value);
        expect(error.message).to.match(/expected a function, got/);
        expect(error.fix).to.contain('toGraph(myFunction)');
      }
    });

    it('functions that use private members, which converted code loaded outside the class cannot reach', () => {
      class Counter {
        #k = 2;
        #twice(x: number) {
          return x * 2;
        }
        scaled(x: number) {
          return this.#twice(x) * this.#k;
        }
        arrow() {
          return (x: number) => x * this.#k;
        }
      }
      const counter = new Counter();
      for (const [fn, name] of [
        [counter.scaled, 'twice'],
        [counter.arrow(), 'k'],
      ] as const) {
        const error = rejection(fn);
        expect(error.message).to.contain(`it uses the private member #${name}`);
        expect(error.fix).to.contain(`this.${name}`).and.contain('doNotConvert');
      }
    });

    it('native functions', () => {
      const error = rejection(Math.max);
      expect(error.message).to.contain('native function');
    });

    it('bound functions, suggesting to bind the converted function', () => {
      const error = rejection(function f(this: unknown) { return this; }.bind({})); // prettier-ignore
      expect(error.message).to.contain('bound function');
      expect(error.fix).to.contain('toGraph(fn).bind(obj)');
    });

    it('classes, suggesting to convert their methods', () => {
      class Model {}
      const error = rejection(Model);
      expect(error.message).to.contain('is a class');
      expect(error.fix).to.contain('@convert()');
    });

    it('generator functions', () => {
      const error = rejection(function* gen() { yield 1; }); // prettier-ignore
      expect(error.message).to.contain('generator function');
      const asyncGenerator = rejection(async function* agen() { yield 1; }); // prettier-ignore
      expect(asyncGenerator.message).to.contain('generator function');
    });

    it('getters and setters', () => {
      const descriptor = Object.getOwnPropertyDescriptor(
        {
          get value() {
            return 1;
          },
          set value(_v: number) {},
        },
        'value',
      )!;
      expect(rejection(descriptor.get).message).to.contain('getter');
      expect(rejection(descriptor.set).message).to.contain('setter');
    });
  });
});
