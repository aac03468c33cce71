/**
 * Several Chantier processes on the run's Redis, as a cluster: each knows its
 * own URL (NODE_URL) and every node's (CLUSTER_URLS), so that ports are
 * picked before the processes start.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { startServerProcess, type ProcessOptions, type ServerProcess } from './serverProcess.js';

export interface ClusterNode extends ServerProcess {
  nodeId: string;
}

/** A TCP port free right now on 127.0.0.1 (the system's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `count` nodes sharing one key prefix (so one cluster). `env` applies
 * to every node; node ids are "node-a", "node-b"...
 */
export async function startCluster(
  count: number,
  env: Record<string, string> = {},
  options: ProcessOptions = {},
): Promise<{ nodes: ClusterNode[]; prefix: string; stop(): Promise<void> }> {
  const prefix = env.REDIS_KEY_PREFIX ?? `cluster-${randomBytes(4).toString('hex')}:`;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const nodes = await Promise.all(
    ports.map(async (port, i) => {
      const nodeId = `node-${String.fromCharCode(97 + i)}`;
      const process = await startServerProcess(
        {
          ...env,
          REDIS_KEY_PREFIX: prefix,
          PORT: String(port),
          PUBLIC_URL: urls[i]!,
          NODE_ID: nodeId,
          NODE_URL: urls[i]!,
          CLUSTER_URLS: urls.join(','),
        },
        options,
      );
      return Object.assign(process, { nodeId });
    }),
  );
  return {
    nodes,
    prefix,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.kill()));
    },
  };
}
