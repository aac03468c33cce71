/**
 * Every Redis key and channel Chantier uses, in one place, each with its
 * structure. All start with the configured prefix (REDIS_KEY_PREFIX, default
 * "chantier:"), so that tests and several deployments can share a server.
 * A project's keys carry its id in braces ({p}) so that a Redis Cluster would
 * keep one project on one slot (the chat's Lua script touches several keys).
 */
export interface Keys {
  /** Hash: the project itself. Fields: id, name, createdAt (ms), createdBy (user id). */
  project(projectId: string): string;
  /** Hash: members. Field = user id; value = JSON {userId, displayName, role, addedAt}. */
  projectMembers(projectId: string): string;
  /** Set: ids of every project (for admin listings). */
  projects(): string;

  /**
   * Stream: the project's chat, oldest first. Entry fields: cmid (client
   * message id), kind, uid, name, text, time (ms), and optionally att (JSON
   * DocumentRef), mid (meeting id), meeting (JSON), call (JSON, missed calls), plan (JSON PlanRef, planned meetings). Never trimmed: the chat is
   * kept for the life of the project.
   */
  chat(projectId: string): string;
  /**
   * Hash: idempotency of chat sends. Field = "<user id>:<client message id>";
   * value = the stream id it was stored under. Written in the same Lua call as
   * the stream entry, so a retry finds it.
   */
  chatClientIds(projectId: string): string;
  /** Hash: read marks. Field = user id; value = the last stream id that user read. */
  chatRead(projectId: string): string;

  /**
   * Sorted set: live connections of the project. Member = connection key
   * "<node>/<connection id>"; score = expiry (ms since epoch), pushed forward
   * by each heartbeat. Entries past their score belong to a dead node or a
   * lost socket and are swept.
   */
  presenceConnections(projectId: string): string;
  /**
   * Hash: what each live connection is. Field = connection key; value = JSON
   * {userId, displayName, role, device, roomId|null}. Cleared with its
   * sorted-set entry.
   */
  presenceInfo(projectId: string): string;
  /**
   * String (integer): the version of the project's presence, one step per
   * change published (store/presence.ts). Starts at the time in ms when
   * created, so that versions keep rising after Redis lost its data.
   */
  presenceVersion(projectId: string): string;
  /** Set: projects that have (or had) live connections: what the sweeper visits. */
  presenceProjects(): string;

  /**
   * Hash: who is in a meeting right now. Field = peer id; value = JSON
   * {userId, displayName, role, device, joinedAt (ms), node}. Expires a day
   * after the last join so that a crashed node leaves nothing forever.
   */
  meetingPeers(projectId: string, roomId: string): string;
  /**
   * Hash: the meeting in progress in a room, if any. Fields: meetingId,
   * startedAt (ms), startedBy (JSON {userId, displayName}), attendees (JSON
   * array of {userId, displayName}, everyone who came), documents (JSON array
   * of DocumentRef shared in the chat during it), presentations (JSON array of
   * {document: DocumentRef, by: {userId, displayName}, at (ms)}), and saved
   * once a marked-up version is saved (JSON array of {document, from: the
   * DocumentRef it was made from, by, at}).
   */
  meetingCurrent(projectId: string, roomId: string): string;
  /**
   * Hash: finished meetings' records. Field = meeting id; value = JSON
   * {meetingId, roomId, startedAt, endedAt, startedBy, attendees, documents,
   * presentations, saved?, interrupted?}.
   */
  meetingRecords(projectId: string): string;

  /**
   * Hash: the project's documents. Field = document id; value = JSON
   * {documentId, name, version, mimeType, size, sha256, uploadedBy
   * {userId, displayName}, uploadedAt (ms), thumbnail (bool)}.
   */
  documents(projectId: string): string;
  /**
   * Hash: versions by name. Field = normalised file name; value = JSON array
   * of document ids, oldest version first.
   */
  documentNames(projectId: string): string;
  /** Lock (SET NX PX token) held while a new version of a name is numbered. */
  documentNameLock(projectId: string, name: string): string;
  /**
   * Hash: how many documents (any project, any version) use each stored file.
   * Field = SHA-256 of the bytes (hex); value = count. Global, not per project,
   * because the same bytes are stored once for the whole deployment; the file
   * and its thumbnail are deleted when the count drops to zero.
   */
  documentBlobRefs(): string;
  /** Lock (SET NX PX token) held while a stored file's count changes together with the file itself. */
  documentBlobLock(sha256: string): string;

  /**
   * Hash: one call (see projects/Calls.ts). Fields: info (JSON CallInfo),
   * invitees (JSON array of user ids), state ('ringing' | 'ended'), reason
   * (why it stopped ringing: 'answered' | 'declined' | 'cancelled' |
   * 'missed'), and one field "ans:<user id>" = 'accepted' | 'declined' per
   * invitee who answered. Expires some minutes after its ring time.
   */
  call(projectId: string, callId: string): string;
  /**
   * Sorted set: the project's calls still ringing. Member = call id; score =
   * when it rings out (ms since epoch). Whichever node removes a member
   * (ZREM in the same Lua call that ends the call) owns the call's end.
   */
  callsRinging(projectId: string): string;
  /** Set: projects that may have ringing calls: what every node's ring-out sweep visits. */
  callProjects(): string;
  /**
   * String counter: calls a user started in the project in the current
   * minute (INCR, PEXPIRE on the first), against ringing storms.
   */
  callRate(projectId: string, userId: string): string;

  /**
   * Hash: one invitation link (store/invitations.ts). Fields: invitationId,
   * projectId, role ('member' | 'guest'), roomId?, label?, createdBy,
   * createdAt (ms), expiresAt (ms), maxUses?, uses, revokedAt? (ms), codeHash
   * (hex SHA-256 of the link's secret code; the code itself is never stored).
   * EXPIREAT some days after expiresAt.
   */
  invitation(projectId: string, invitationId: string): string;
  /**
   * Sorted set: the project's invitations. Member = invitation id; score =
   * expiresAt (ms). Trimmed when listed; EXPIREAT as its longest-lived invitation.
   */
  invitations(projectId: string): string;
  /**
   * String: "<project id>/<invitation id>" of the link whose code has this
   * hex SHA-256. Global (a link names no project). Deleted on revoke;
   * EXPIREAT as the invitation's hash.
   */
  invitationCode(codeHash: string): string;

  /**
   * String (PX ~6 s, renewed every ~2 s): a live node. Value = JSON {url,
   * startedAt (ms)}. Its absence means the node is dead (or cut off from
   * Redis): the meetings it held may be taken over (cluster/NodeRegistry.ts).
   * Deleted on clean shutdown.
   */
  node(nodeId: string): string;
  /** Prefix of node(): the claim script builds a holder's liveness key from it. */
  nodePrefix(): string;
  /** Set: ids of the nodes that announced themselves; members whose node() key is gone are dropped when listed. */
  nodes(): string;
  /**
   * String: id of the node that holds the meeting (its media room lives there).
   * Claimed at a meeting socket's hello when absent or when the holder's node()
   * key is gone (Lua, atomic); deleted by the holder (compare-and-delete) when
   * the room closes; EXPIRE a day, renewed by the holder's heartbeat.
   */
  meetingNode(projectId: string, roomId: string): string;
  /**
   * Hash: the meeting's state that outlives its node (a take-over finds it).
   * Fields: policy (JSON RoomPolicy), "removed:<user id>" = removal time (ms).
   * Deleted when the meeting ends on its node (the room closes); EXPIRE a day.
   */
  meetingState(projectId: string, roomId: string): string;

  /*
   * Markup of a presented document in one meeting (store/markup.ts): keyed by
   * the meeting's id, so they outlive a presentation, its presenter and a
   * take-over of the meeting by another node, and a new meeting in the same
   * room starts blank. Every write pushes all of a document's keys' EXPIRE to
   * MARKUP_TTL (7 days) from now: they are kept that long after their last
   * change (the meeting's end included), then dropped; a saved version is the
   * lasting copy.
   */
  /** Hash: the marks. Field = mark id; value = JSON Mark (protocol/markup.ts). */
  markupMarks(projectId: string, roomId: string, meetingId: string, documentId: string): string;
  /** Sorted set: the marks' order as the server accepted them. Member = mark id; score = sequence number (markupMeta seq). */
  markupOrder(projectId: string, roomId: string, meetingId: string, documentId: string): string;
  /**
   * Hash: counters of a document's markup. Fields: seq (last sequence number
   * given), pins (last pin number given; never decremented, so never reused),
   * "p:<page>" = marks on that page now, "pin:<mark id>" = the pin number
   * given to that mark (an erased pin added again keeps its number).
   */
  markupMeta(projectId: string, roomId: string, meetingId: string, documentId: string): string;
  /** Hash: authors' colours in a meeting. Field = user id; value = index in MARKUP_PALETTE, in order of first mark. */
  markupColors(projectId: string, roomId: string, meetingId: string): string;

  /**
   * Hash: the project's planned meetings (store/planning.ts). Field = plan
   * id; value = JSON MeetingPlan (protocol/planning.ts): title, roomId,
   * timeZone, date, time, durationMin, invitees, guests, recurrence,
   * overrides (skipped and moved occurrences), sequence, createdBy,
   * createdAt, updatedAt, cancelledAt?. Cancelled plans stay (calendars
   * must learn of the cancellation).
   */
  meetingPlans(projectId: string): string;
  /** Hash: the project's planning settings. Fields: timeZone (IANA name; absent = DEFAULT_TIME_ZONE). */
  planningSettings(projectId: string): string;
  /** Set: projects that have planned meetings: what every node's reminder loop visits. */
  planningProjects(): string;
  /**
   * String: JSON {projectId, userId} of the calendar feed whose secret has
   * this hex SHA-256. Global (the feed's URL names no project). Deleted on
   * revoke or when the person makes a new feed URL.
   */
  calendarFeed(secretHash: string): string;
  /** String: the hex SHA-256 of the person's current calendar feed secret in the project. */
  calendarFeedOf(projectId: string, userId: string): string;
  /**
   * String (SET NX PX): the node that sends one reminder of one occurrence.
   * `kind` = 'soon' (REMINDER_LEAD_MS before) | 'start' (the ring). Value =
   * node id. Expires a day after: whoever sets it sends, once for all nodes.
   */
  reminderClaim(projectId: string, planId: string, occurrenceId: string, kind: string): string;

  /**
   * Hash: one meeting's compte rendu (store/minutes.ts). Fields: info (JSON
   * MinutesInfo: meeting, plan link, chair, editors, number, publications),
   * nitems (count of items), "item:<item id>" = JSON MinutesItem (with its
   * version, changed only by the compare-and-set script), "sec:<section id>" =
   * JSON MinutesSection, "att:<person id>" = JSON AttendanceEntry. Kept for
   * the life of the project (the next meeting carries its open actions).
   */
  minutes(projectId: string, minutesId: string): string;
  /** Hash: which minutes a meeting writes. Field = meeting id; value = minutes id (set once: HSETNX). */
  minutesOfMeeting(projectId: string): string;
  /**
   * Sorted set: the minutes of one series ("plan-<plan id>" or "room-<room
   * id>" for ad-hoc meetings). Member = minutes id; score = the meeting's
   * date (ms): the previous meeting's open actions are carried from here.
   */
  minutesSeries(projectId: string, seriesId: string): string;
  /** String counter: the project's last CR number (INCR at a first publication). */
  minutesNumber(projectId: string): string;
  /** Hash: published minutes for the meeting history. Field = meeting id; value = JSON MinutesSummary (latest version). */
  minutesPublished(projectId: string): string;
  /**
   * String: the recording in progress in a meeting (recording/RecordingStore.ts):
   * JSON RecordingInfo plus node and meetingId. PX 90 s, renewed every 30 s by
   * the recording node: a dead node's recording is gone from it within 90 s.
   */
  meetingRecording(projectId: string, roomId: string): string;
  /** Hash: recordings for the meeting history. Field = meeting id; value = JSON RecordingSummary[]. */
  recordings(projectId: string): string;

  /**
   * Pub/sub channel of the project's live events (chat messages, presence
   * changes, calls) for every node. Payload: JSON {type, data}.
   */
  projectEvents(projectId: string): string;
  /** Pattern matching every project's events channel. */
  projectEventsPattern(): string;
}

export function makeKeys(prefix: string): Keys {
  const p = (projectId: string): string => `${prefix}project:{${projectId}}`;
  return {
    project: (projectId) => p(projectId),
    projectMembers: (projectId) => `${p(projectId)}:members`,
    projects: () => `${prefix}projects`,
    chat: (projectId) => `${p(projectId)}:chat`,
    chatClientIds: (projectId) => `${p(projectId)}:chat:cmids`,
    chatRead: (projectId) => `${p(projectId)}:chat:read`,
    presenceConnections: (projectId) => `${p(projectId)}:presence`,
    presenceInfo: (projectId) => `${p(projectId)}:presence:info`,
    presenceVersion: (projectId) => `${p(projectId)}:presence:version`,
    presenceProjects: () => `${prefix}presence:projects`,
    meetingPeers: (projectId, roomId) => `${p(projectId)}:meeting:${roomId}:peers`,
    meetingCurrent: (projectId, roomId) => `${p(projectId)}:meeting:${roomId}:current`,
    meetingRecords: (projectId) => `${p(projectId)}:meetings`,
    documents: (projectId) => `${p(projectId)}:docs`,
    documentNames: (projectId) => `${p(projectId)}:docs:names`,
    documentNameLock: (projectId, name) => `${p(projectId)}:docs:lock:${name}`,
    documentBlobRefs: () => `${prefix}docblobs:refs`,
    documentBlobLock: (sha256) => `${prefix}docblobs:lock:${sha256}`,
    call: (projectId, callId) => `${p(projectId)}:call:${callId}`,
    callsRinging: (projectId) => `${p(projectId)}:calls:ringing`,
    callProjects: () => `${prefix}calls:projects`,
    callRate: (projectId, userId) => `${p(projectId)}:calls:rate:${userId}`,
    invitation: (projectId, invitationId) => `${p(projectId)}:inv:${invitationId}`,
    invitations: (projectId) => `${p(projectId)}:invs`,
    invitationCode: (codeHash) => `${prefix}invcode:${codeHash}`,
    node: (nodeId) => `${prefix}node:${nodeId}`,
    nodePrefix: () => `${prefix}node:`,
    nodes: () => `${prefix}nodes`,
    meetingNode: (projectId, roomId) => `${p(projectId)}:meeting:${roomId}:node`,
    meetingState: (projectId, roomId) => `${p(projectId)}:meeting:${roomId}:state`,
    markupMarks: (projectId, roomId, meetingId, documentId) => `${p(projectId)}:meeting:${roomId}:markup:${meetingId}:${documentId}:marks`,
    markupOrder: (projectId, roomId, meetingId, documentId) => `${p(projectId)}:meeting:${roomId}:markup:${meetingId}:${documentId}:order`,
    markupMeta: (projectId, roomId, meetingId, documentId) => `${p(projectId)}:meeting:${roomId}:markup:${meetingId}:${documentId}:meta`,
    markupColors: (projectId, roomId, meetingId) => `${p(projectId)}:meeting:${roomId}:markup:${meetingId}:colors`,
    meetingPlans: (projectId) => `${p(projectId)}:plans`,
    planningSettings: (projectId) => `${p(projectId)}:plans:settings`,
    planningProjects: () => `${prefix}plans:projects`,
    calendarFeed: (secretHash) => `${prefix}calfeed:${secretHash}`,
    calendarFeedOf: (projectId, userId) => `${p(projectId)}:calfeed:${userId}`,
    reminderClaim: (projectId, planId, occurrenceId, kind) => `${p(projectId)}:plans:claim:${planId}:${occurrenceId}:${kind}`,
    minutes: (projectId, minutesId) => `${p(projectId)}:minutes:${minutesId}`,
    minutesOfMeeting: (projectId) => `${p(projectId)}:minutes-of-meeting`,
    minutesSeries: (projectId, seriesId) => `${p(projectId)}:minutes-series:${seriesId}`,
    minutesNumber: (projectId) => `${p(projectId)}:minutes-number`,
    minutesPublished: (projectId) => `${p(projectId)}:minutes-published`,
    meetingRecording: (projectId, roomId) => `${p(projectId)}:meeting:${roomId}:recording`,
    recordings: (projectId) => `${p(projectId)}:recordings`,
    projectEvents: (projectId) => `${prefix}events:${projectId}`,
    projectEventsPattern: () => `${prefix}events:*`,
  };
}
