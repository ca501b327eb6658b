/** Every tfjs kernel the exporter maps, by kernel name: one mapper writes the ONNX nodes of one traced kernel. */
import type { GraphBuilder } from '../graph.js';
import type { TraceNode } from '../trace.js';
import { elementwiseMappers } from './elementwise.js';
import { reduceMappers } from './reduce.js';
import { shapeMappers } from './shape.js';
import { spatialMappers } from './spatial.js';

export type Mapper = (g: GraphBuilder, node: TraceNode) => void;

export const mappers: Readonly<Record<string, Mapper>> = { ...elementwiseMappers, ...shapeMappers, ...reduceMappers, ...spatialMappers };
