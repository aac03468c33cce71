import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { startTestApp } from '../../../test/app.js';
import { launchBrowser } from '../../../test/browser.js';
const dir = mkdtempSync(join(tmpdir(), 'dbg-'));
const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
const app = await startTestApp({ MEDIASOUP_WORKERS: '1' }, `unix://${redis.socketPath}`);
const b = await launchBrowser();
for (let i = 0; i < 2; i++) {
  const ctx = await b.browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
  page.on('console', (m) => console.log('console', m.text().slice(0, 200)));
  const token = await app.token({ projectId: 'pl' });
  const t0 = Date.now();
  await page.goto(`${app.url}/p/pl/r/r${i}#token=${token}`);
  await page.waitForSelector('[data-testid="join-button"]');
  console.log('button after', Date.now() - t0);
  console.log(await page.evaluate(() => JSON.stringify(performance.getEntries().map((e) => [e.name.slice(-40), e.entryType, Math.round(e.startTime), Math.round(e.duration), (e as PerformanceResourceTiming).responseEnd && Math.round((e as PerformanceResourceTiming).responseEnd)]))));
  await ctx.close();
}
await b.close(); await app.close(); await redis.stop();
