/** safetensors dtype names with their element sizes in bytes. */
const ITEM_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type SafetensorsDtype = keyof typeof ITEM_SIZES;

export function isDtype(value: string): value is SafetensorsDtype {
  return Object.hasOwn(ITEM_SIZES, value);
}

export function itemSize(dtype: SafetensorsDtype): number {
  return ITEM_SIZES[dtype];
}

/** The TensorFlow.js dtype each safetensors dtype is converted to on reading (undefined: not readable). */
export function tfDtypeOf(dtype: SafetensorsDtype): "float32" | "int32" | undefined {
  switch (dtype) {
    case "F32":
    case "F16":
    case "BF16":
    case "F64":
      return "float32";
    case "I64":
    case "I32":
    case "I16":
    case "I8":
    case "U64":
    case "U32":
    case "U16":
    case "U8":
    case "BOOL":
      return "int32";
    default:
      return undefined;
  }
}
