/**
 * Entry point of `npm start`: load the config, build the app, listen, print a
 * link to the demo room, and close gracefully on SIGINT/SIGTERM.
 */
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { mintAccessToken } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await buildApp(config);
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing');
    await app.close();
  });
  await app.listen({ host: config.host, port: config.port });

  if (config.demo) {
    const { projectId, roomId } = config.demo;
    const owner = { userId: 'demo-owner', displayName: 'Démo' };
    // Idempotent: false when the demo project exists from an earlier start.
    await app.projects.create(
      { id: projectId, name: 'Projet de démonstration', createdAt: Date.now(), createdBy: owner.userId },
      owner,
    );
    // Tokens signed here verify only where HS256 is enabled (not with a JWKS alone).
    if (!config.jwt.algorithms.includes('HS256')) return;
    const token = await mintAccessToken(
      { ...owner, projectId, role: 'owner', issuer: config.jwt.issuer, audience: config.jwt.audience },
      config.jwtSecret,
    );
    const base = `${config.publicUrl}/p/${projectId}`;
    // The lines meant for a person, not for the log pipeline.
    process.stdout.write(
      `\nChantier is running. Demo links (valid 12 h):\n\n` +
        `  project page (chat, documents, who is online):\n  ${base}#token=${token}\n\n` +
        `  meeting room (open it in two tabs):\n  ${base}/r/${roomId}#token=${token}\n\n` +
        `Mint more links: npm run token -- --project ${projectId} --name "Your name"\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Chantier failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
