import type { Server } from 'node:http';
/** Serves `root` on `host:port` (port 0: a free port); see static-server.mjs. */
export function startStaticServer(o: { root: string; port?: number; host?: string }): Promise<{ server: Server; url: string }>;
