import { PytorchBinError } from "./errors.js";
import type { SafetensorsDtype } from "../safetensors/dtypes.js";

/*
 * A restricted unpickler for torch state dicts. It interprets pickle opcodes as data only: GLOBAL resolves
 * against a fixed allow-list of names (never imported, never looked up), REDUCE calls only the few
 * rebuild functions a state dict uses (implemented here), BUILD is accepted only on dicts, and every other
 * global, call, object construction or extension opcode is refused with `UNSAFE_PICKLE`.
 */

export class PyTuple {
  /** Nesting depth as built (containers inside it, plus one); the final walk checks the true depth. */
  depth = 1;
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}
export class PyList {
  depth = 1;
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}
export class PyDict {
  depth = 1;
  readonly map = new Map<PyValue, PyValue>();
}
/** A name the pickle referred to with GLOBAL / STACK_GLOBAL, from the allow-list. */
export class PyGlobal {
  readonly module: string;
  readonly name: string;
  constructor(module: string, name: string) {
    this.module = module;
    this.name = name;
  }
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}
/** A persistent id ('storage', type, key, location, numel): the bytes live in `data/<key>`. */
export class StorageRef {
  readonly dtype: SafetensorsDtype;
  readonly key: string;
  readonly numel: number;
  constructor(dtype: SafetensorsDtype, key: string, numel: number) {
    this.dtype = dtype;
    this.key = key;
    this.numel = numel;
  }
}
/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...): a strided view of a storage. */
export class TensorRef {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
  constructor(storage: StorageRef, offset: number, shape: number[], stride: number[]) {
    this.storage = storage;
    this.offset = offset;
    this.shape = shape;
    this.stride = stride;
  }
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyTuple
  | PyList
  | PyDict
  | PyGlobal
  | StorageRef
  | TensorRef;

export interface UnpickleLimits {
  /** Opcodes run before refusing (default 2,000,000; a state dict takes about 25 per tensor). */
  maxOpcodes?: number;
  /** Containers nested deeper than this are refused (default 64). */
  maxDepth?: number;
  /**
   * Values on the stack at once (default 100,000; Python's pickler batches SETITEMS by 1,000, so a state
   * dict needs about 2,000).
   */
  maxStack?: number;
}

/** The storage classes torch pickles (torch.FloatStorage ...) and the dtype of their elements. */
const STORAGE_TYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  DoubleStorage: "F64",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
  UntypedStorage: "U8",
};
/** torch dtypes (torch.float32 ...), which newer writers may put in a persistent id instead of a storage class. */
const DTYPES: Record<string, SafetensorsDtype> = {
  float32: "F32",
  float: "F32",
  float16: "F16",
  half: "F16",
  bfloat16: "BF16",
  float64: "F64",
  double: "F64",
  int64: "I64",
  long: "I64",
  int32: "I32",
  int: "I32",
  int16: "I16",
  int8: "I8",
  uint8: "U8",
  bool: "BOOL",
};
const CALLABLES = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_parameter",
]);

function allowedGlobal(module: string, name: string): boolean {
  const q = `${module}.${name}`;
  if (CALLABLES.has(q)) return true;
  if ((module === "torch" || module === "torch.storage") && Object.hasOwn(STORAGE_TYPES, name)) return true;
  return module === "torch" && Object.hasOwn(DTYPES, name);
}

const MARK = Symbol("mark");
type Slot = PyValue | typeof MARK;

const OPCODE_NAMES: Record<number, string> = {
  0x63: "GLOBAL",
  0x93: "STACK_GLOBAL",
  0x52: "REDUCE",
  0x62: "BUILD",
  0x69: "INST",
  0x6f: "OBJ",
  0x81: "NEWOBJ",
  0x92: "NEWOBJ_EX",
  0x82: "EXT1",
  0x83: "EXT2",
  0x84: "EXT4",
  0x50: "PERSID",
};

/**
 * Interprets `bytes` (a data.pkl) and returns the object it describes. `file` names the checkpoint in errors.
 * Throws `PytorchBinError` (`INVALID_PICKLE`, `UNSAFE_PICKLE`, `PICKLE_LIMIT`) for anything else.
 */
export function unpickle(bytes: Uint8Array, file: string, limits: UnpickleLimits = {}): PyValue {
  return unpickleAt(bytes, 0, file, limits, "data.pkl").value;
}

/** The pickle ran past the bytes given: a caller that read only a prefix of the file may read more and retry. */
export class PickleTruncatedError extends PytorchBinError {}

/**
 * Interprets the one pickle that starts at byte `start` of `bytes` (the legacy torch.save format is five
 * pickles in a row) and returns its object and the byte after its STOP. `where` names the pickle in errors.
 */
export function unpickleAt(
  bytes: Uint8Array,
  start: number,
  file: string,
  limits: UnpickleLimits = {},
  where = "pickle",
): { value: PyValue; end: number } {
  const maxOpcodes = limits.maxOpcodes ?? 2_000_000;
  const maxDepth = limits.maxDepth ?? 64;
  const maxStack = limits.maxStack ?? 100_000;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = start;
  let opcodes = 0;
  let at = start;

  const fail = (code: FailCode, detail: string): never => {
    throw new PytorchBinError(code, file, `${where} byte ${at}: ${detail}`);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) {
      throw new PickleTruncatedError("INVALID_PICKLE", file, `${where} byte ${at}: truncated (needs ${n} more bytes)`);
    }
    const start = pos;
    pos += n;
    return start;
  };
  const u8 = (): number => bytes[need(1)] as number;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail("INVALID_PICKLE", `length ${v} is beyond 2^53`);
    return Number(v);
  };
  const text = (n: number): string => {
    const start = need(n);
    try {
      return utf8.decode(bytes.subarray(start, start + n));
    } catch {
      return fail("INVALID_PICKLE", "a string that is not UTF-8");
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) {
      throw new PickleTruncatedError("INVALID_PICKLE", file, `${where} byte ${at}: truncated (unterminated line)`);
    }
    const s = new TextDecoder("latin1").decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK || (marks.length > 0 && stack.length < (marks[marks.length - 1] as number))) {
      fail("INVALID_PICKLE", "stack underflow");
    }
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK || (marks.length > 0 && stack.length <= (marks[marks.length - 1] as number))) {
      fail("INVALID_PICKLE", "stack underflow");
    }
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) return fail("INVALID_PICKLE", "no MARK to pop to");
    const items = stack.splice(m) as PyValue[];
    return items;
  };
  const push = (v: PyValue): void => {
    if (stack.length >= maxStack) fail("PICKLE_LIMIT", `more than ${maxStack} values on the stack`);
    stack.push(v);
  };
  const global = (module: string, name: string): PyGlobal => {
    if (!allowedGlobal(module, name)) {
      fail(
        "UNSAFE_PICKLE",
        `refusing global ${module}.${name}: a state dict needs only collections.OrderedDict, torch._utils rebuild functions and torch storage types`,
      );
    }
    return new PyGlobal(module, name);
  };
  // Depth as containers are filled, so a deep chain is refused at its 65th level, not after it is all built.
  const nest = <T extends PyTuple | PyList | PyDict>(parent: T, children: PyValue[]): T => {
    for (const child of children) {
      if (child instanceof PyTuple || child instanceof PyList || child instanceof PyDict) {
        if (child.depth + 1 > parent.depth) parent.depth = child.depth + 1;
      }
    }
    if (parent.depth > maxDepth) fail("PICKLE_LIMIT", `containers nested deeper than ${maxDepth}`);
    return parent;
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (!(target instanceof PyDict)) return fail("UNSAFE_PICKLE", `SETITEM(S) on ${describe(target)}, not a dict`);
    if (items.length % 2 !== 0) fail("INVALID_PICKLE", "SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i] as PyValue;
      if (!isHashable(key)) fail("INVALID_PICKLE", `unhashable dict key ${describe(key)}`);
      target.map.set(key, items[i + 1] as PyValue);
    }
    nest(target, items);
  };
  const appendItems = (target: PyValue, items: PyValue[]): void => {
    if (!(target instanceof PyList)) return fail("UNSAFE_PICKLE", `APPEND(S) on ${describe(target)}, not a list`);
    for (const item of items) target.items.push(item);
    nest(target, items);
  };

  for (;;) {
    if (++opcodes > maxOpcodes) fail("PICKLE_LIMIT", `more than ${maxOpcodes} opcodes`);
    at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("INVALID_PICKLE", "pickle protocol above 5");
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: {
        // STOP
        const result = pop();
        checkDepth(result, maxDepth, fail);
        return { value: result, end: pos };
      }
      case 0x28: // MARK
        if (marks.length >= maxDepth) fail("PICKLE_LIMIT", `MARKs nested deeper than ${maxDepth}`);
        if (stack.length >= maxStack) fail("PICKLE_LIMIT", `more than ${maxStack} values on the stack`);
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const n = u8();
        const start = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[start + i] as number);
        if (n > 0 && ((bytes[start + n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(text(u64()));
        break;
      case 0x54: // BINSTRING
      case 0x55: {
        // SHORT_BINSTRING
        const n = op === 0x54 ? u32() : u8();
        const start = need(n);
        push(new TextDecoder("latin1").decode(bytes.subarray(start, start + n)));
        break;
      }
      case 0x42: // BINBYTES
      case 0x43: // SHORT_BINBYTES
      case 0x8e: {
        // BINBYTES8
        const n = op === 0x42 ? u32() : op === 0x43 ? u8() : u64();
        const start = need(n);
        push(bytes.slice(start, start + n));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items: PyValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        push(nest(new PyTuple(items), items));
        break;
      }
      case 0x74: {
        // TUPLE
        const items = popMark();
        push(nest(new PyTuple(items), items));
        break;
      }
      case 0x5d: // EMPTY_LIST
        push(new PyList([]));
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        push(nest(new PyList(items), items));
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail("INVALID_PICKLE", `memo entry ${i} does not exist`);
        push(memo.get(i) as PyValue);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          fail("INVALID_PICKLE", "STACK_GLOBAL of non-strings");
        }
        push(global(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
        push(persistent(pop(), fail));
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        push(reduce(callable, args, fail));
        break;
      }
      case 0x62: {
        // BUILD: only an instance dict (or None) set on a dict, as OrderedDict's `_metadata` is.
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict) || !(state === null || state instanceof PyDict)) {
          fail("UNSAFE_PICKLE", `BUILD of ${describe(target)} with ${describe(state)} is not allowed`);
        }
        break;
      }
      default: {
        const name = OPCODE_NAMES[op];
        if (name !== undefined) {
          fail("UNSAFE_PICKLE", `opcode ${name} is not allowed (it constructs or looks up objects)`);
        }
        fail("INVALID_PICKLE", `unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")}`);
      }
    }
  }
}

type FailCode = "INVALID_PICKLE" | "UNSAFE_PICKLE" | "PICKLE_LIMIT" | "LEGACY_PYTORCH_FORMAT";
type Fail = (code: FailCode, detail: string) => never;

/**
 * ('storage', type, key, location, numel) of the zip format, or the legacy format's ('storage', type, key,
 * location, numel, view_metadata) with view_metadata None (torch >= 1.0 writes no storage views).
 */
function persistent(pid: PyValue, fail: Fail): StorageRef {
  const legacy = pid instanceof PyTuple && pid.items.length === 6;
  if (!(pid instanceof PyTuple) || pid.items[0] !== "storage" || (pid.items.length !== 5 && !legacy)) {
    return fail("UNSAFE_PICKLE", `persistent id ${describe(pid)} is not ('storage', type, key, location, numel)`);
  }
  if (legacy && pid.items[5] !== null) {
    return fail(
      "LEGACY_PYTORCH_FORMAT",
      `a storage view ${describe(pid.items[5] as PyValue)} (written by torch before 1.0) is not read; re-save the file with torch >= 1.6`,
    );
  }
  const [, type, key, , numel] = pid.items;
  let dtype: SafetensorsDtype | undefined;
  if (type instanceof PyGlobal) {
    dtype = STORAGE_TYPES[type.name] ?? (type.module === "torch" ? DTYPES[type.name] : undefined);
  }
  if (dtype === undefined || (type instanceof PyGlobal && CALLABLES.has(type.qualified))) {
    return fail("UNSAFE_PICKLE", `persistent id storage type ${describe(type)} is not a torch storage type`);
  }
  if (typeof key !== "string" || !/^[A-Za-z0-9_.-]+$/.test(key)) {
    return fail("INVALID_PICKLE", `storage key ${describe(key)} is not a plain name`);
  }
  if (!isCount(numel)) return fail("INVALID_PICKLE", `storage size ${describe(numel)} is not a count`);
  return new StorageRef(dtype, key, numel as number);
}

function reduce(callable: PyValue, args: PyValue, fail: Fail): PyValue {
  const name = callable instanceof PyGlobal ? callable.qualified : undefined;
  if (name === undefined || !CALLABLES.has(name)) {
    return fail("UNSAFE_PICKLE", `REDUCE on ${describe(callable)} is not allowed (only ${[...CALLABLES].join(", ")})`);
  }
  if (!(args instanceof PyTuple)) {
    return fail("UNSAFE_PICKLE", `REDUCE on ${name} with ${describe(args)} instead of a tuple`);
  }
  const a = args.items;
  switch (name) {
    case "collections.OrderedDict": {
      if (a.length !== 0) return fail("UNSAFE_PICKLE", "collections.OrderedDict called with arguments");
      return new PyDict();
    }
    case "torch._utils._rebuild_parameter": {
      if (!(a[0] instanceof TensorRef) || a.length !== 3) {
        return fail("INVALID_PICKLE", "_rebuild_parameter without a tensor");
      }
      return a[0];
    }
    default: {
      // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
      // _rebuild_tensor(storage, storage_offset, size, stride).
      const v2 = name === "torch._utils._rebuild_tensor_v2";
      const [storage, offset, size, stride] = a;
      if (v2 ? a.length < 6 || a.length > 7 : a.length !== 4) {
        return fail("INVALID_PICKLE", `${name} with ${a.length} arguments`);
      }
      if (!(storage instanceof StorageRef)) {
        return fail("INVALID_PICKLE", `${name} on ${describe(storage)}, not a storage`);
      }
      if (!isCount(offset)) return fail("INVALID_PICKLE", `${name} storage offset ${describe(offset)}`);
      const shape = counts(size);
      const strides = counts(stride);
      if (shape === undefined || strides === undefined || shape.length !== strides.length) {
        return fail(
          "INVALID_PICKLE",
          `${name} size ${describe(size)} / stride ${describe(stride)} are not matching tuples of counts`,
        );
      }
      if (v2 && (typeof a[4] !== "boolean" || !(a[5] instanceof PyDict) || a[5].map.size !== 0)) {
        return fail("UNSAFE_PICKLE", `${name} with backward hooks or a non-boolean requires_grad`);
      }
      return new TensorRef(storage, offset as number, shape, strides);
    }
  }
}

// `undefined` is a tuple item that is not there (a short tuple): not a count.
function isCount(v: PyValue | undefined): boolean {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function counts(v: PyValue | undefined): number[] | undefined {
  if (!(v instanceof PyTuple) || !v.items.every(isCount)) return undefined;
  return v.items as number[];
}

function isHashable(v: PyValue): boolean {
  return v === null || typeof v !== "object" || v instanceof PyTuple || v instanceof PyGlobal;
}

/** Walks the result without recursion; refuses nesting (or a cycle) deeper than `maxDepth`. */
function checkDepth(root: PyValue, maxDepth: number, fail: Fail): void {
  const deepest = new Map<object, number>();
  const todo: Array<[PyValue, number]> = [[root, 1]];
  while (todo.length > 0) {
    const [v, depth] = todo.pop() as [PyValue, number];
    if (v === null || typeof v !== "object" || v instanceof Uint8Array) continue;
    if (depth > maxDepth) fail("PICKLE_LIMIT", `containers nested deeper than ${maxDepth}`);
    if ((deepest.get(v) ?? -1) >= depth) continue;
    deepest.set(v, depth);
    const children =
      v instanceof PyTuple || v instanceof PyList
        ? v.items
        : v instanceof PyDict
          ? [...v.map.keys(), ...v.map.values()]
          : [];
    for (const child of children) todo.push([child, depth + 1]);
  }
}

export function describe(v: PyValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "None";
  if (v instanceof PyGlobal) return v.qualified;
  if (v instanceof PyTuple) return `a tuple of ${v.items.length}`;
  if (v instanceof PyList) return "a list";
  if (v instanceof PyDict) return "a dict";
  if (v instanceof StorageRef) return "a storage";
  if (v instanceof TensorRef) return "a tensor";
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return String(v);
}
