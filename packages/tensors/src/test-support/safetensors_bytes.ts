/** Builds raw safetensors bytes for tests, including deliberately malformed ones. */
export interface RawTensor {
  dtype: string;
  shape: number[];
  data: Uint8Array;
  /** Overrides the computed data_offsets. */
  offsets?: [number, number];
}

export function safetensorsBytes(
  tensors: Record<string, RawTensor>,
  options: {
    metadata?: Record<string, string>;
    header?: string | Uint8Array;
    headerLength?: bigint;
    pad?: boolean;
  } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) header.__metadata__ = options.metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: t.offsets ?? [offset, offset + t.data.length] };
    chunks.push(t.data);
    offset += t.data.length;
  }
  let head = Buffer.from(options.header ?? JSON.stringify(header));
  if (options.pad !== false && head.length % 8 !== 0) {
    head = Buffer.concat([head, Buffer.alloc(8 - (head.length % 8), 0x20)]);
  }
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(options.headerLength ?? BigInt(head.length));
  return Buffer.concat([prefix, head, ...chunks]);
}

export function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}
