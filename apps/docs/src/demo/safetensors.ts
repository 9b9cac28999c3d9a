// Reads a safetensors file that is already in memory (fetched by the browser). @warmstart/tensors reads
// safetensors through node:fs file handles, which a browser does not have.

export interface InMemoryTensor {
  shape: number[];
  data: Float32Array;
}

export class DemoLoadError extends Error {
  readonly code: "BAD_SAFETENSORS" | "MISSING_WEIGHT" | "SHAPE_MISMATCH" | "FETCH_FAILED";
  constructor(code: DemoLoadError["code"], message: string) {
    super(message);
    this.name = "DemoLoadError";
    this.code = code;
  }
}

/** Parses `buffer` (8-byte little-endian header length, JSON header, data); only F32 tensors are accepted. */
export function parseSafetensors(buffer: ArrayBuffer, source: string): Map<string, InMemoryTensor> {
  if (buffer.byteLength < 8) throw new DemoLoadError("BAD_SAFETENSORS", `${source}: ${buffer.byteLength} bytes, shorter than the 8-byte header length`);
  const headerLength = Number(new DataView(buffer).getBigUint64(0, true));
  if (8 + headerLength > buffer.byteLength) {
    throw new DemoLoadError("BAD_SAFETENSORS", `${source}: header of ${headerLength} bytes runs past the end of the file (${buffer.byteLength} bytes)`);
  }
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, InMemoryTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (info.dtype !== "F32") throw new DemoLoadError("BAD_SAFETENSORS", `${source}: ${name} is ${info.dtype}; the demo reads F32 only`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4 || dataStart + end > buffer.byteLength) {
      throw new DemoLoadError("BAD_SAFETENSORS", `${source}: ${name} has offsets [${begin}, ${end}] for shape [${info.shape.join(", ")}]`);
    }
    // Copy: the data section is only 8-byte aligned relative to the header, not to 4 bytes of the buffer.
    tensors.set(name, { shape: info.shape, data: new Float32Array(buffer.slice(dataStart + begin, dataStart + end)) });
  }
  return tensors;
}
