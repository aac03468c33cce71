/** This process in a cluster of nodes sharing one Redis: NODE_ID, NODE_URL, CLUSTER_URLS. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, origins, type Env } from './parse.js';

export interface ClusterSettings {
  readonly nodeId: string;
  readonly nodeUrl: string;
  readonly clusterUrls: readonly string[];
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function clusterConfig(env: Env, port: number): ClusterSettings {
  const nodeId = env.NODE_ID || `${hostname().replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40) || 'node'}-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!NODE_ID.test(nodeId)) throw new ConfigError(`NODE_ID must be 1-64 characters of A-Z a-z 0-9 . _ -, got "${nodeId}"`);
  const nodeUrl = env.NODE_URL
    ? origins({ NODE_URL: env.NODE_URL }, 'NODE_URL')[0]!
    : new URL(env.PUBLIC_URL || `http://localhost:${port}`).origin;
  const clusterUrls = origins(env, 'CLUSTER_URLS');
  // A node missing from the list would send its clients to URLs that reject its pages' origin.
  if (clusterUrls.length > 0 && !clusterUrls.includes(nodeUrl)) {
    throw new ConfigError(`CLUSTER_URLS must list this node's own URL (NODE_URL, default PUBLIC_URL): ${nodeUrl}`);
  }
  return { nodeId, nodeUrl, clusterUrls };
}
