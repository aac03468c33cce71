/**
 * The planned meetings' HTTP API of one project (signaling/src/routes/planning.ts).
 */
import type { MeetingPlan, OccurrenceChange, PlanInput, PlanPatch, PlansReply } from '@chantier/signaling/protocol';
import type { ApiClient } from './ApiClient';

export class PlanningApi {
  private readonly base: string;

  constructor(
    private readonly api: ApiClient,
    readonly projectId: string,
  ) {
    this.base = `/api/projects/${encodeURIComponent(projectId)}/meetings`;
  }

  list(): Promise<PlansReply> {
    return this.api.getJson<PlansReply>(`${this.base}/plans`);
  }

  async create(input: PlanInput): Promise<MeetingPlan> {
    return (await this.api.postJson<{ plan: MeetingPlan }>(`${this.base}/plans`, input)).plan;
  }

  async update(planId: string, patch: PlanPatch): Promise<MeetingPlan> {
    return (await this.api.sendJson<{ plan: MeetingPlan }>('PATCH', this.planPath(planId), patch)).plan;
  }

  async changeOccurrence(planId: string, occurrenceId: string, change: OccurrenceChange): Promise<MeetingPlan> {
    const path = `${this.planPath(planId)}/occurrences/${encodeURIComponent(occurrenceId)}`;
    return (await this.api.sendJson<{ plan: MeetingPlan }>('PUT', path, change)).plan;
  }

  cancel(planId: string): Promise<void> {
    return this.api.delete(this.planPath(planId));
  }

  /** Owners: the project's time zone (IANA name). */
  setTimeZone(timeZone: string): Promise<void> {
    return this.api.sendJson<void>('PUT', `${this.base}/settings`, { timeZone });
  }

  /** A new secret calendar feed URL for this person (the previous one stops working). */
  async createFeed(): Promise<string> {
    return (await this.api.postJson<{ url: string }>(`${this.base}/feed`, {})).url;
  }

  revokeFeed(): Promise<void> {
    return this.api.delete(`${this.base}/feed`);
  }

  /** The plan's .ics (a one-off import into a calendar app). */
  calendar(planId: string): Promise<Blob> {
    return this.api.getBlob(`${this.planPath(planId)}/calendar.ics`);
  }

  private planPath(planId: string): string {
    return `${this.base}/plans/${encodeURIComponent(planId)}`;
  }
}
