/**
 * npm run coturn [-- --check]
 * Runs coturn in the foreground with the settings of the environment (the
 * TURN_* variables of README.md, parsed by config.ts), rendered from
 * turn/turnserver.conf.template by the same code as npm start's embedded
 * coturn: the compose file's coturn service. Stops it on SIGINT/SIGTERM and
 * exits when it exits. `--check`: exit 0 when a coturn answers STUN on the
 * configured port (the compose healthcheck).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { stunBindingAnswers } from '@chantier/turn';
import { ConfigError, loadConfig } from '../config.js';
import { probeHost, startCoturn } from '../plugins/turn.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const server = config.turnServer;
  if (!server) {
    process.stderr.write('Configuration error: coturn needs TURN_SECRET (or TURN_MODE=embedded)\n');
    return 2;
  }
  if (values.check) return (await stunBindingAnswers(probeHost(server.listenIp), server.port, 1000)) ? 0 : 1;

  const log = pino({ level: config.logLevel, base: { component: 'coturn' } });
  const coturn = await startCoturn(server, (line) => log.info({ coturn: line }));
  log.info({ coturnPid: coturn.pid, port: server.port, relayPorts: `${server.minPort}-${server.maxPort}`, externalIp: server.externalIp }, 'coturn started');
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      log.info({ signal }, 'stopping coturn');
      void coturn.stop();
    });
  }
  await coturn.exited;
  if (!stopping) log.error('coturn exited by itself');
  return stopping ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`coturn failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
