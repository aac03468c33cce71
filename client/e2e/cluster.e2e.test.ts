/**
 * Two Chantier processes on one Redis (issue 8, "scale across servers"):
 * Alice loads the client from node A, Bruno from node B; they meet in one
 * room (Bruno's hello is redirected to A, which holds the meeting) and their
 * media flows both ways. Then A is killed (SIGKILL): both pages come back by
 * themselves through B (Alice's entry is dead: she uses the nodes her hello
 * listed), B takes the meeting over once A's liveness has lapsed, and media
 * flows again.
 */
import type { Page } from 'puppeteer-core';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCluster, type ClusterNode } from '../../test/cluster.js';
import { TEST_JWT_SECRET } from '../../test/config.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { describePage, joinFromLobby } from '../../test/join.js';
import { openMeetingPage, type PageServer } from '../../test/meetingPage.js';
import { mediaFrom, mediaRises } from '../../test/receiveStats.js';
import '../../test/provided.js';
import { mintAccessToken } from '../../signaling/src/auth/tokens.js';
import { makeKeys } from '../../signaling/src/store/keys.js';

interface Participant {
  name: string;
  page: Page;
  /** The page's client log (client/src/log.ts writes to the console), for a failure's message. */
  log: string[];
}

const PROJECT = 'chantier-cluster-e2e';
const ROOM = 'reunion';

let cluster: Awaited<ReturnType<typeof startCluster>>;
let a: ClusterNode;
let b: ClusterNode;
let chromium: TestBrowser;
const redis = createClient({ url: inject('redisUrl') });
let alice: Participant;
let bruno: Participant;

/** A node as the server of pages: its URL, and tokens signed with the secret every node shares. */
function served(node: ClusterNode): PageServer {
  return {
    url: node.url,
    token: (options = {}) =>
      mintAccessToken({ userId: `u-${PROJECT}`, displayName: PROJECT, projectId: PROJECT, role: 'member', ...options }, TEST_JWT_SECRET),
  };
}

/** The meeting's join screen on `node`, its console kept for failure messages. */
async function open(name: string, node: ClusterNode): Promise<Participant> {
  const log: string[] = [];
  const { page } = await openMeetingPage(chromium.browser, served(node), {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    role: 'member',
    enter: 'lobby',
    prepare: (page) => {
      page.on('console', (message) => log.push(`${new Date().toISOString().slice(11, 23)} ${message.text()}`));
    },
  });
  return { name, page, log };
}

/** Runs `step`; on failure, adds what each page shows and the end of its client log. */
async function explained<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const pages = await Promise.all(
      [alice, bruno].filter(Boolean).map(async (p) => `--- ${p.name}: ${await describePage(p.page)}\n${p.log.slice(-60).join('\n')}`),
    );
    throw new Error(`${what}: ${String(error)}\n${pages.join('\n')}`);
  }
}

async function selfPeerId(page: Page): Promise<string | null> {
  return page.$eval('[data-testid="tile"][data-self="true"]', (el) => el.getAttribute('data-peer-id')).catch(() => null);
}

/** The peer ids of the tiles this page shows, itself included, sorted. */
async function tiles(page: Page): Promise<string[]> {
  return (await page.$$eval('[data-testid="tile"]', (els) => els.map((el) => el.getAttribute('data-peer-id') ?? ''))).sort();
}

/** Both pages in one room: each shows the same two tiles, and receives the other's media. */
async function inOneRoom(what: string, previous: Record<string, string | null> = {}): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const p of [alice, bruno]) {
    // After a re-join, the page's own tile carries a new peer id.
    await p.page.waitForFunction(
      (old) => {
        const self = document.querySelector('[data-testid="tile"][data-self="true"]');
        const id = self?.getAttribute('data-peer-id');
        return id !== undefined && id !== null && id !== old && document.querySelectorAll('[data-testid="tile"]').length === 2;
      },
      { timeout: 45_000, polling: 200 },
      previous[p.name] ?? null,
    );
    ids[p.name] = (await selfPeerId(p.page))!;
  }
  const both = [ids.Alice!, ids.Bruno!].sort();
  for (const p of [alice, bruno]) {
    await p.page.waitForFunction(
      (expected) => {
        const shown = [...document.querySelectorAll('[data-testid="tile"]')].map((el) => el.getAttribute('data-peer-id')).sort();
        return JSON.stringify(shown) === expected;
      },
      { timeout: 20_000, polling: 200 },
      JSON.stringify(both),
    );
    expect(await tiles(p.page), `${what}: ${p.name}'s participants`).toEqual(both);
  }
  await mediaRises(alice.page, ids.Bruno!, { frames: 0, audioPackets: 0 }, `${what}: Alice receives Bruno`, 20_000);
  await mediaRises(bruno.page, ids.Alice!, { frames: 0, audioPackets: 0 }, `${what}: Bruno receives Alice`, 20_000);
  const before = { alice: await mediaFrom(alice.page, ids.Bruno!), bruno: await mediaFrom(bruno.page, ids.Alice!) };
  await mediaRises(alice.page, ids.Bruno!, before.alice, `${what}: Alice keeps receiving Bruno`, 20_000);
  await mediaRises(bruno.page, ids.Alice!, before.bruno, `${what}: Bruno keeps receiving Alice`, 20_000);
  return ids;
}

beforeAll(async () => {
  await redis.connect();
  cluster = await startCluster(2, { MEDIASOUP_WORKERS: '1' });
  [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
  chromium = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await cluster?.stop();
  await redis.close();
});

describe('a meeting across two nodes', () => {
  let ids: Record<string, string>;

  it('puts participants who came through different nodes in one room, media flowing both ways', async () => {
    alice = await open('Alice', a);
    await joinFromLobby(alice.page);
    // Bruno's page is B's; its meeting socket is sent to A, which holds the meeting.
    bruno = await open('Bruno', b);
    await joinFromLobby(bruno.page);
    ids = await explained('through two nodes', () => inOneRoom('through two nodes'));
    expect(await redis.get(makeKeys(cluster.prefix).meetingNode(PROJECT, ROOM))).toBe(a.nodeId);
    expect(new URL(alice.page.url()).origin).toBe(a.url);
    expect(new URL(bruno.page.url()).origin).toBe(b.url);
  }, 120_000);

  it('when the holding node dies, both pages come back through the other one and media flows again', async () => {
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    const after = await explained('after the take-over', () => inOneRoom('after the take-over', ids));
    console.log(`re-homed and media flowing again ${Date.now() - killedAt} ms after SIGKILL`);
    expect(after.Alice).not.toBe(ids.Alice);
    expect(after.Bruno).not.toBe(ids.Bruno);
    expect(await redis.get(makeKeys(cluster.prefix).meetingNode(PROJECT, ROOM))).toBe(b.nodeId);
    expect(cspViolations).toEqual([]);
  }, 120_000);
});
