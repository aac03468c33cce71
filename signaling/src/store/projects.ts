/** Projects and their members (keys.ts: project, projectMembers, projects). */
import type { Role } from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from './keys.js';

export interface Member {
  userId: string;
  displayName: string;
  role: Role;
  addedAt: number;
}

export interface Project {
  id: string;
  name: string;
  createdAt: number;
  createdBy: string;
}

export class ProjectStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Creates the project with its first member; false if the id is taken. */
  async create(project: Project, owner: Omit<Member, 'addedAt' | 'role'>): Promise<boolean> {
    const created = await this.redis.hSetNX(this.keys.project(project.id), 'id', project.id);
    if (!created) return false;
    await this.redis
      .multi()
      .hSet(this.keys.project(project.id), {
        name: project.name,
        createdAt: String(project.createdAt),
        createdBy: project.createdBy,
      })
      .sAdd(this.keys.projects(), project.id)
      .hSet(
        this.keys.projectMembers(project.id),
        owner.userId,
        JSON.stringify({ ...owner, role: 'owner', addedAt: project.createdAt } satisfies Member),
      )
      .exec();
    return true;
  }

  async get(projectId: string): Promise<Project | undefined> {
    const h = await this.redis.hGetAll(this.keys.project(projectId));
    if (!h.id) return undefined;
    return { id: h.id, name: h.name ?? h.id, createdAt: Number(h.createdAt ?? 0), createdBy: h.createdBy ?? '' };
  }

  async members(projectId: string): Promise<Member[]> {
    const all = await this.redis.hVals(this.keys.projectMembers(projectId));
    return all.map((v) => JSON.parse(v) as Member).sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
  }

  /** One member, or undefined for someone the project has never met. */
  async member(projectId: string, userId: string): Promise<Member | undefined> {
    const raw = await this.redis.hGet(this.keys.projectMembers(projectId), userId);
    return raw ? (JSON.parse(raw) as Member) : undefined;
  }

  async setMember(projectId: string, member: Member): Promise<void> {
    await this.redis.hSet(this.keys.projectMembers(projectId), member.userId, JSON.stringify(member));
  }

  /** Records a person met through a token, keeping an existing entry's date. */
  async remember(projectId: string, person: Omit<Member, 'addedAt'>): Promise<void> {
    const key = this.keys.projectMembers(projectId);
    const existing = await this.redis.hGet(key, person.userId);
    const known = existing ? (JSON.parse(existing) as Member) : undefined;
    // Most hellos are from members as they were: nothing to write.
    if (known && known.displayName === person.displayName && known.role === person.role) return;
    const addedAt = known?.addedAt ?? Date.now();
    await this.redis.hSet(key, person.userId, JSON.stringify({ ...person, addedAt } satisfies Member));
  }
}
