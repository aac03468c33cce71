/**
 * Invitation links (keys.ts: invitation, invitations, invitationCode).
 *
 * A link is `<PUBLIC_URL>/i/<code>`: the code is 144 random bits, shown once
 * (in the answer to its creation) and never stored: Redis keeps only its
 * SHA-256, so that a dump or a replica holds no usable link. A code is found
 * by its hash (a global key pointing to the project's invitation), and every
 * use is counted by a Lua script on the invitation's hash, so that `maxUses`
 * holds however many people open the link at once.
 *
 * The clock is injected (tests make invitations that expired long ago).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from './keys.js';

export type InvitationRole = 'member' | 'guest';

export interface Invitation {
  invitationId: string;
  projectId: string;
  role: InvitationRole;
  /** The link opens this meeting only (the token carries the `room` claim). */
  roomId?: string;
  label?: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  maxUses?: number;
  uses: number;
  revokedAt?: number;
}

export interface NewInvitation {
  projectId: string;
  role: InvitationRole;
  roomId?: string | undefined;
  label?: string | undefined;
  createdBy: string;
  expiresInS: number;
  maxUses?: number | undefined;
}

/** Why a code opens nothing: unknown or revoked, past its expiry, or every use taken. */
export type InvitationProblem = 'invalid' | 'expired' | 'usedUp';

export type Lookup = { ok: true; invitation: Invitation } | { ok: false; problem: InvitationProblem };

/** How long an invitation stays listed (and stored) after it expired. */
export const INVITATION_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** The longest-lived link: 30 days. */
export const INVITATION_MAX_LIFETIME_S = 30 * 24 * 3600;

/** A code: 18 random bytes, 24 base64url characters. */
const CODE_BYTES = 18;

/**
 * Counts one use if the link still opens. KEYS[1] = the invitation's hash;
 * ARGV = now (ms), the code's hash (a hash reused by another link after a
 * revoke cannot count against it). Answers 'ok' | 'invalid' | 'expired' | 'usedUp'.
 */
const REDEEM_SCRIPT = `
local h = redis.call('HMGET', KEYS[1], 'codeHash', 'revokedAt', 'expiresAt', 'maxUses', 'uses')
if not h[1] or h[1] ~= ARGV[2] or h[2] then return 'invalid' end
if tonumber(ARGV[1]) >= tonumber(h[3]) then return 'expired' end
if h[4] and tonumber(h[5]) >= tonumber(h[4]) then return 'usedUp' end
redis.call('HINCRBY', KEYS[1], 'uses', 1)
return 'ok'
`;

export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

function fromHash(h: Record<string, string>): Invitation | undefined {
  if (!h.invitationId || !h.projectId || (h.role !== 'member' && h.role !== 'guest')) return undefined;
  return {
    invitationId: h.invitationId,
    projectId: h.projectId,
    role: h.role,
    ...(h.roomId ? { roomId: h.roomId } : {}),
    ...(h.label ? { label: h.label } : {}),
    createdBy: h.createdBy ?? '',
    createdAt: Number(h.createdAt ?? 0),
    expiresAt: Number(h.expiresAt ?? 0),
    ...(h.maxUses ? { maxUses: Number(h.maxUses) } : {}),
    uses: Number(h.uses ?? 0),
    ...(h.revokedAt ? { revokedAt: Number(h.revokedAt) } : {}),
  };
}

/** Whether an invitation opens at `now`, and why not. */
export function problemOf(invitation: Invitation, now: number): InvitationProblem | undefined {
  if (invitation.revokedAt !== undefined) return 'invalid';
  if (now >= invitation.expiresAt) return 'expired';
  if (invitation.maxUses !== undefined && invitation.uses >= invitation.maxUses) return 'usedUp';
  return undefined;
}

export class InvitationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new invitation and its code: the only time the code exists outside the person's link. */
  async create(input: NewInvitation): Promise<{ invitation: Invitation; code: string }> {
    const createdAt = this.now();
    const invitation: Invitation = {
      invitationId: randomBytes(6).toString('base64url'),
      projectId: input.projectId,
      role: input.role,
      ...(input.roomId !== undefined ? { roomId: input.roomId } : {}),
      ...(input.label !== undefined ? { label: input.label } : {}),
      createdBy: input.createdBy,
      createdAt,
      expiresAt: createdAt + input.expiresInS * 1000,
      ...(input.maxUses !== undefined ? { maxUses: input.maxUses } : {}),
      uses: 0,
    };
    const code = randomBytes(CODE_BYTES).toString('base64url');
    const codeHash = hashCode(code);
    const key = this.keys.invitation(input.projectId, invitation.invitationId);
    const codeKey = this.keys.invitationCode(codeHash);
    const index = this.keys.invitations(input.projectId);
    const dropAt = Math.ceil((invitation.expiresAt + INVITATION_RETENTION_MS) / 1000);
    const fields: Record<string, string> = { codeHash };
    for (const [name, value] of Object.entries(invitation)) fields[name] = String(value);
    await this.redis
      .multi()
      .hSet(key, fields)
      .expireAt(key, dropAt)
      .set(codeKey, `${input.projectId}/${invitation.invitationId}`, { EXAT: dropAt })
      .zAdd(index, { score: invitation.expiresAt, value: invitation.invitationId })
      // The index lives as long as its longest-lived invitation (NX: a new index; GT: a later one).
      .expireAt(index, dropAt, 'NX')
      .expireAt(index, dropAt, 'GT')
      .exec();
    return { invitation, code };
  }

  async get(projectId: string, invitationId: string): Promise<Invitation | undefined> {
    return fromHash(await this.redis.hGetAll(this.keys.invitation(projectId, invitationId)));
  }

  /** The project's invitations still kept (live, revoked, or expired for less than the retention), newest first. */
  async list(projectId: string): Promise<Invitation[]> {
    const index = this.keys.invitations(projectId);
    await this.redis.zRemRangeByScore(index, '-inf', this.now() - INVITATION_RETENTION_MS);
    const ids = await this.redis.zRange(index, 0, -1);
    const all = await Promise.all(ids.map((id) => this.get(projectId, id)));
    return all.filter((i): i is Invitation => i !== undefined).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Revokes at once: the code stops opening anything. False for an unknown invitation. */
  async revoke(projectId: string, invitationId: string): Promise<boolean> {
    const key = this.keys.invitation(projectId, invitationId);
    const codeHash = await this.redis.hGet(key, 'codeHash');
    if (!codeHash) return false;
    // revokedAt first: the redeem script refuses from this instant, whatever the code key says.
    await this.redis.hSetNX(key, 'revokedAt', String(this.now()));
    await this.redis.del(this.keys.invitationCode(codeHash));
    return true;
  }

  /** What a code opens, without using it. */
  async find(code: string): Promise<Lookup> {
    const found = await this.byCode(code);
    if (!found) return { ok: false, problem: 'invalid' };
    const problem = problemOf(found, this.now());
    return problem ? { ok: false, problem } : { ok: true, invitation: found };
  }

  /** Uses the code once (atomically against maxUses, revocation and expiry). */
  async redeem(code: string): Promise<Lookup> {
    const codeHash = hashCode(code);
    const target = await this.redis.get(this.keys.invitationCode(codeHash));
    const [projectId, invitationId] = target?.split('/') ?? [];
    if (!projectId || !invitationId) return { ok: false, problem: 'invalid' };
    const key = this.keys.invitation(projectId, invitationId);
    const answer = (await this.redis.eval(REDEEM_SCRIPT, { keys: [key], arguments: [String(this.now()), codeHash] })) as string;
    if (answer !== 'ok') return { ok: false, problem: answer === 'expired' || answer === 'usedUp' ? answer : 'invalid' };
    const invitation = await this.get(projectId, invitationId);
    return invitation ? { ok: true, invitation } : { ok: false, problem: 'invalid' };
  }

  private async byCode(code: string): Promise<Invitation | undefined> {
    const codeHash = hashCode(code);
    const target = await this.redis.get(this.keys.invitationCode(codeHash));
    const [projectId, invitationId] = target?.split('/') ?? [];
    if (!projectId || !invitationId) return undefined;
    const h = await this.redis.hGetAll(this.keys.invitation(projectId, invitationId));
    return h.codeHash === codeHash ? fromHash(h) : undefined;
  }
}
