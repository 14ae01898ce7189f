// Writes WebAssembly modules in the binary format: instructions by name, one exported function over an imported memory.

/** Value types, as the binary format numbers them. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Core instructions the kernels use, by their opcodes. */
const CORE = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  select: 0x1b,
  'local.get': 0x20,
  'local.set': 0x21,
  'local.tee': 0x22,
  'i32.const': 0x41,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.gt_u': 0x4b,
  'i32.ge_u': 0x4f,
  'i32.store': 0x36,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.shl': 0x74,
} as const;

/** SIMD instructions (after the 0xfd prefix), by their opcodes in the SIMD proposal's numbering. */
const SIMD = {
  'v128.load': 0x00,
  'v128.load32_splat': 0x09,
  'v128.store': 0x0b,
  'v128.const': 0x0c,
  'i32x4.eq': 0x37,
  'i32x4.ne': 0x38,
  'i32x4.lt_s': 0x39,
  'i32x4.gt_s': 0x3b,
  'i32x4.le_s': 0x3d,
  'i32x4.ge_s': 0x3f,
  'f32x4.eq': 0x41,
  'f32x4.ne': 0x42,
  'f32x4.lt': 0x43,
  'f32x4.gt': 0x44,
  'f32x4.le': 0x45,
  'f32x4.ge': 0x46,
  'v128.not': 0x4d,
  'v128.and': 0x4e,
  'v128.or': 0x50,
  'v128.bitselect': 0x52,
  'v128.any_true': 0x53,
  'i32x4.extract_lane': 0x1b,
  'f32x4.ceil': 0x67,
  'f32x4.floor': 0x68,
  'f32x4.nearest': 0x6a,
  'i32x4.neg': 0xa1,
  'i32x4.shr_s': 0xac,
  'i32x4.add': 0xae,
  'i32x4.sub': 0xb1,
  'i32x4.mul': 0xb5,
  'i32x4.min_s': 0xb6,
  'i32x4.max_s': 0xb8,
  'f32x4.abs': 0xe0,
  'f32x4.neg': 0xe1,
  'f32x4.sqrt': 0xe3,
  'f32x4.add': 0xe4,
  'f32x4.sub': 0xe5,
  'f32x4.mul': 0xe6,
  'f32x4.div': 0xe7,
  'f32x4.min': 0xe8,
  'f32x4.max': 0xe9,
} as const;

export type CoreOp = keyof typeof CORE;
export type SimdOp = keyof typeof SIMD;

/** An unsigned LEB128 number. */
function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** A signed LEB128 number (32 bits). */
function signed(value: number): number[] {
  const bytes: number[] = [];
  value |= 0;
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const vector = (items: number[][]): number[] => [...unsigned(items.length), ...items.flat()];
const named = (text: string): number[] => vector([...text].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...unsigned(body.length), ...body];

/** The body of one function, written instruction by instruction. */
export class FunctionBody {
  private readonly code: number[] = [];
  private readonly locals: number[] = [];

  constructor(private readonly params: number) {}

  /** A new local of `type`: its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.params + this.locals.length - 1;
  }

  /** A core instruction; `immediate` is a local's index, a branch depth or an i32 constant. */
  op(name: CoreOp, immediate?: number): this {
    this.code.push(CORE[name]);
    if (name === 'block' || name === 'loop') this.code.push(0x40);
    else if (name === 'i32.const') this.code.push(...signed(immediate!));
    // A store's memory argument: alignment 4 bytes, offset 0.
    else if (name === 'i32.store') this.code.push(2, 0);
    else if (immediate !== undefined) this.code.push(...unsigned(immediate));
    return this;
  }

  /** A SIMD instruction; memory instructions take their byte offset (alignment 4 bytes). */
  simd(name: SimdOp, offset?: number): this {
    this.code.push(0xfd, ...unsigned(SIMD[name]));
    if (name === 'v128.load' || name === 'v128.store' || name === 'v128.load32_splat') {
      this.code.push(2, ...unsigned(offset ?? 0));
    }
    return this;
  }

  /** Lane `lane` of a v128 of 32-bit lanes, as an i32. */
  lane(lane: number): this {
    this.code.push(0xfd, ...unsigned(SIMD['i32x4.extract_lane']), lane);
    return this;
  }

  /** A v128 constant of four equal 32-bit lanes, given as their bits. */
  splat(bits: number): this {
    const lane = [bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, (bits >>> 24) & 0xff];
    this.code.push(0xfd, ...unsigned(SIMD['v128.const']), ...lane, ...lane, ...lane, ...lane);
    return this;
  }

  /** The function's entry in the code section. */
  encode(): number[] {
    // Locals are declared in runs of one type.
    const runs: number[][] = [];
    for (const type of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === type) last[0]!++;
      else runs.push([1, type]);
    }
    const body = [...vector(runs.map(([count, type]) => [...unsigned(count!), type!])), ...this.code, CORE.end];
    return [...unsigned(body.length), ...body];
  }
}

/**
 * A module that imports its memory as `env.memory` and exports one function `run`, taking `params` i32
 * arguments and returning nothing.
 */
export function moduleBytes(params: number, body: FunctionBody): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vector(Array.from({ length: params }, () => [I32])), ...vector([])];
  const memoryImport = [...named('env'), ...named('memory'), 0x02, 0x00, ...unsigned(0)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([type])),
    ...section(2, vector([memoryImport])),
    ...section(3, vector([unsigned(0)])),
    ...section(7, vector([[...named('run'), 0x00, ...unsigned(0)]])),
    ...section(10, vector([body.encode()])),
  ]);
}
