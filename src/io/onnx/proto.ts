/** Encodes a built graph as an ONNX ModelProto with protobufjs and ONNX's own schema (`onnx.proto3`, vendored). */
import protobuf from 'protobufjs';
import { ONNX_PROTO } from './onnx-proto.js';
import { ONNX_DTYPE, type AttrValue, type Initializer, type OnnxNode } from './graph.js';

let modelType: protobuf.Type | undefined;

/** onnx.ModelProto, parsed once from the vendored schema (field names as ONNX spells them). */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** A graph input or output: float32, each dimension a size or a symbolic name. */
export interface ValueInfo {
  name: string;
  dims: (number | string)[];
}

export interface ModelParts {
  irVersion: number;
  opset: number;
  producerVersion: string;
  graphName: string;
  docString: string;
  nodes: OnnxNode[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata: Record<string, string>;
}

const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;
const utf8 = (s: string) => new TextEncoder().encode(s);

function attribute(name: string, v: AttrValue, where: string): Record<string, unknown> {
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: utf8(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`unet: error: ONNX export: attribute ${name} of ${where} is ${v}, not an integer (give floats as {float})`);
    return { name, type: ATTR.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: v };
  if ('float' in v) return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.FLOATS, floats: v.floats };
}

function valueInfo(v: ValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: { tensor_type: { elem_type: ONNX_DTYPE.float32, shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
  };
}

export function encodeModel(m: ModelParts): Uint8Array {
  const type = onnxModelType();
  const model = {
    ir_version: m.irVersion,
    opset_import: [{ domain: '', version: m.opset }],
    producer_name: 'unet-ts',
    producer_version: m.producerVersion,
    doc_string: m.docString,
    graph: {
      name: m.graphName,
      node: m.nodes.map((n, i) => ({
        name: `${n.from || n.op}_${i}`,
        op_type: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v, `${n.op} (${n.from})`)),
      })),
      initializer: m.initializers.map((t) => ({
        name: t.name,
        dims: t.dims,
        data_type: ONNX_DTYPE[t.dtype],
        raw_data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
      input: m.inputs.map(valueInfo),
      output: m.outputs.map(valueInfo),
    },
    metadata_props: Object.entries(m.metadata).map(([key, value]) => ({ key, value })),
  };
  const err = type.verify(model);
  if (err) throw new Error(`unet: error: ONNX export: the model does not fit ONNX's schema (${err})`);
  return type.encode(type.fromObject(model)).finish();
}

/** Decodes an ONNX file into a plain object (tests, `unet info`). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Array, defaults: false }) as Record<string, unknown>;
}
