// Builders of torch.save-style files for tests: pickle opcodes, a state-dict data.pkl as torch writes it,
// and a zip of stored members (with knobs to make hostile ones: compressed members, lying sizes).

/** Pickle opcode bytes (protocol 2), composed with `concat`. */
export const op = {
  proto: (n = 2) => bytes(0x80, n),
  stop: () => bytes(0x2e),
  mark: () => bytes(0x28),
  tuple: () => bytes(0x74),
  emptyTuple: () => bytes(0x29),
  emptyList: () => bytes(0x5d),
  emptyDict: () => bytes(0x7d),
  append: () => bytes(0x61),
  setitems: () => bytes(0x75),
  reduce: () => bytes(0x52),
  build: () => bytes(0x62),
  binpersid: () => bytes(0x51),
  none: () => bytes(0x4e),
  pop: () => bytes(0x30),
  false: () => bytes(0x89),
  binput: (i: number) => bytes(0x71, i),
  binget: (i: number) => bytes(0x68, i),
  int: (n: number) => {
    const b = new Uint8Array(5);
    b[0] = 0x4a;
    new DataView(b.buffer).setInt32(1, n, true);
    return b;
  },
  str: (s: string) => {
    const text = new TextEncoder().encode(s);
    const b = new Uint8Array(5 + text.length);
    b[0] = 0x58;
    new DataView(b.buffer).setUint32(1, text.length, true);
    b.set(text, 5);
    return b;
  },
  global: (module: string, name: string) => concat(bytes(0x63), new TextEncoder().encode(`${module}\n${name}\n`)),
  ints: (values: number[]) => concat(op.mark(), ...values.map(op.int), op.tuple()),
};

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface PickledTensor {
  name: string;
  /** e.g. "FloatStorage" */
  storageType: string;
  key: string;
  /** Elements the storage holds. */
  numel: number;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A 2x3 float32 tensor "w" over storage "0", row-major: the base the pickle tests vary (views, overruns). */
export const FLOAT_2X3: PickledTensor = {
  name: "w",
  storageType: "FloatStorage",
  key: "0",
  numel: 6,
  offset: 0,
  shape: [2, 3],
  stride: [3, 1],
};
/** The storage FLOAT_2X3 reads: the values 1 to 6. */
export const FLOAT_2X3_STORAGE: Readonly<Record<string, Uint8Array>> = {
  "0": new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer),
};

/** The opcodes that push one tensor: _rebuild_tensor_v2(storage persistent id, offset, size, stride, False, OrderedDict()). */
export function tensorPickle(t: Omit<PickledTensor, "name">): Uint8Array {
  return concat(
    op.global("torch._utils", "_rebuild_tensor_v2"),
    op.mark(),
    op.mark(),
    op.str("storage"),
    op.global("torch", t.storageType),
    op.str(t.key),
    op.str("cpu"),
    op.int(t.numel),
    op.tuple(),
    op.binpersid(),
    op.int(t.offset),
    op.ints(t.shape),
    op.ints(t.stride),
    op.false(),
    op.global("collections", "OrderedDict"),
    op.emptyTuple(),
    op.reduce(),
    op.tuple(),
    op.reduce(),
  );
}

/** data.pkl for an OrderedDict of tensors, laid out the way torch.save writes it. */
export function stateDictPickle(tensors: PickledTensor[]): Uint8Array {
  const items = tensors.map((t) => concat(op.str(t.name), tensorPickle(t)));
  return concat(
    op.proto(2),
    op.global("collections", "OrderedDict"),
    op.emptyTuple(),
    op.reduce(),
    op.mark(),
    ...items,
    op.setitems(),
    op.stop(),
  );
}

export interface ZipMember {
  name: string;
  data: Uint8Array;
  /** Compression method written in the headers (the data stays as given); default 0 (stored). */
  method?: number;
  /** Uncompressed size written in the headers instead of data.length. */
  declaredSize?: number;
}

/** A zip archive of `members` (no compression, no zip64). */
export function zipOf(members: ZipMember[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const size = m.declaredSize ?? m.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, m.method ?? 0, true);
    lv.setUint32(18, m.data.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, m.method ?? 0, true);
    cv.setUint32(20, m.method ? m.data.length : size, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, m.data);
    centrals.push(central);
    offset += local.length + m.data.length;
  }
  const cd = concat(...centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return concat(...locals, cd, end);
}

/** A torch.save-style zip: archive/data.pkl, archive/byteorder, archive/version and archive/data/<key> storages. */
export function torchZip(
  pickle: Uint8Array,
  storages: Record<string, Uint8Array> = {},
  extra: ZipMember[] = [],
): Uint8Array {
  return zipOf([
    { name: "archive/data.pkl", data: pickle },
    { name: "archive/byteorder", data: new TextEncoder().encode("little") },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    { name: "archive/version", data: new TextEncoder().encode("3\n") },
    ...extra,
  ]);
}

/** A float32 tensor to write into a pytorch_model.bin: its name, shape and row-major values. */
export interface DenseTensor {
  name: string;
  shape: readonly number[];
  values: Float32Array;
}

/** A pytorch_model.bin as torch.save writes a state dict of float32 tensors: one storage per tensor, contiguous. */
export function pytorchBin(tensors: readonly DenseTensor[]): Uint8Array {
  const pickled: PickledTensor[] = [];
  const storages: Record<string, Uint8Array> = {};
  tensors.forEach(({ name, shape, values }, i) => {
    const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    pickled.push({
      name,
      storageType: "FloatStorage",
      key: String(i),
      numel: values.length,
      offset: 0,
      shape: [...shape],
      stride,
    });
    storages[String(i)] = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  });
  return torchZip(stateDictPickle(pickled), storages);
}
