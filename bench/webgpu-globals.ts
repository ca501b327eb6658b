/** Dawn's WebGPU as the browser's globals (navigator.gpu, GPU* classes), set before tfjs-backend-webgpu loads. */
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
(globalThis as unknown as { navigator: unknown }).navigator = { gpu: create([]) };
