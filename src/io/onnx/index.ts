/**
 * ONNX export, browser-safe (`unet-ts/onnx`): a separate entry so that the main bundle does not carry protobufjs and
 * ONNX's schema for pages that never export.
 */
export { exportOnnx, ONNX_OPSET, ONNX_INPUT, ONNX_OUTPUT, type OnnxExportOptions } from './export.js';
export { decodeModel as decodeOnnxModel, encodeModel as encodeOnnxModel } from './proto.js';
export { traceForward, type Trace, type TraceNode, type TraceValue } from './trace.js';
