/**
 * A compose service, as `docker-compose config` prints it resolved, turned
 * into the podman commands compose itself would run: `podman build` for its
 * `build`, `podman run` for the service (names, labels, network, ports,
 * volumes, restart, init, healthcheck as compose maps them). Only the keys
 * docker-compose.yml uses are translated; any other key fails loudly rather
 * than being dropped unseen.
 */
import { join } from 'node:path';

export interface ComposeService {
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: Array<string | { published: number | string; target: number; protocol?: string; mode?: string; host_ip?: string }>;
  volumes?: string[];
  network_mode?: string;
  restart?: string;
  init?: boolean;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string; interval?: string; timeout?: string; retries?: number; start_period?: string };
}

const KNOWN = new Set(['build', 'image', 'command', 'environment', 'ports', 'volumes', 'network_mode', 'restart', 'init', 'depends_on', 'healthcheck']);

export function buildArgs(service: ComposeService): string[] {
  const { context, dockerfile = 'Dockerfile' } = service.build!;
  return ['build', '--pull=never', '-t', service.image!, '-f', join(context, dockerfile), context];
}

/** Services in an order where each comes after those it depends on. */
export function startOrder(services: Record<string, ComposeService>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`dependency cycle: ${[...path, name].join(' -> ')}`);
    for (const dependency of Object.keys(services[name]?.depends_on ?? {})) visit(dependency, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(services).sort()) visit(name, []);
  return order;
}

export function runArgs(project: string, name: string, service: ComposeService): string[] {
  const unknown = Object.keys(service).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new Error(`service ${name}: compose keys not translated to podman: ${unknown.join(', ')}`);
  const args = ['run', '-d', '--name', `${project}_${name}_1`];
  args.push('--label', `io.podman.compose.project=${project}`, '--label', `com.docker.compose.project=${project}`);
  args.push('--label', `com.docker.compose.service=${name}`);
  if (service.network_mode === 'host') args.push('--network', 'host');
  else if (service.network_mode) throw new Error(`service ${name}: network_mode ${service.network_mode} not translated`);
  else args.push('--network', `${project}_default`, '--network-alias', name);
  for (const [key, value] of Object.entries(service.environment ?? {})) args.push('-e', `${key}=${value ?? ''}`);
  for (const port of service.ports ?? []) {
    if (typeof port === 'string') args.push('-p', port);
    else args.push('-p', `${port.host_ip ? `${port.host_ip}:` : ''}${port.published}:${port.target}/${port.protocol ?? 'tcp'}`);
  }
  for (const volume of service.volumes ?? []) {
    // A named volume (no slash in its source) belongs to the project, as compose names it.
    args.push('-v', /^[\w-]+:/.test(volume) ? `${project}_${volume}` : volume);
  }
  if (service.restart) args.push('--restart', service.restart);
  if (service.init) args.push('--init');
  const check = service.healthcheck;
  if (check) {
    const test = typeof check.test === 'string' ? ['CMD-SHELL', check.test] : check.test;
    // podman takes a JSON array as the command itself, a string as a shell command.
    if (test[0] === 'CMD') args.push('--health-cmd', JSON.stringify(test.slice(1)));
    else if (test[0] === 'CMD-SHELL') args.push('--health-cmd', test[1]!);
    else throw new Error(`service ${name}: healthcheck test ${JSON.stringify(test)} not translated`);
    if (check.interval) args.push('--health-interval', check.interval);
    if (check.timeout) args.push('--health-timeout', check.timeout);
    if (check.retries !== undefined) args.push('--health-retries', String(check.retries));
    if (check.start_period) args.push('--health-start-period', check.start_period);
  }
  args.push(service.image!, ...(service.command ?? []));
  return args;
}
