/**
 * TURN credential renewal on the client (issue 6). The server sends fresh
 * credentials (`iceServers` notification) before the ones held expire; coturn
 * refuses to refresh an allocation made under an expired credential, so a
 * transport that goes through a relay must re-allocate: its ICE is restarted
 * after it is given the new servers. A transport on a direct path only needs
 * the new servers for its next gathering.
 */

/** What the renewal needs of a mediasoup-client Transport. */
export interface RenewableTransport {
  readonly direction: 'send' | 'recv';
  readonly closed: boolean;
  updateIceServers(options: { iceServers: RTCIceServer[] }): Promise<void>;
  getStats(): Promise<RTCStatsReport>;
}

/**
 * The expiry (unix seconds) of TURN REST credentials, from their usernames
 * `"<expiry>:<user id>"`: the earliest one; undefined when none carries one.
 */
export function credentialExpiry(iceServers: readonly RTCIceServer[]): number | undefined {
  let earliest: number | undefined;
  for (const server of iceServers) {
    const match = /^(\d+):/.exec(server.username ?? '');
    if (!match) continue;
    const expiry = Number(match[1]);
    if (earliest === undefined || expiry < earliest) earliest = expiry;
  }
  return earliest;
}

/**
 * Whether `offered` should replace `held`: it expires later. A renewal
 * replayed after a resume is older than the resume's hello's credentials,
 * and must not win over them.
 */
export function isFresher(offered: readonly RTCIceServer[], held: readonly RTCIceServer[]): boolean {
  const offeredExpiry = credentialExpiry(offered);
  if (offeredExpiry === undefined) return false;
  const heldExpiry = credentialExpiry(held);
  return heldExpiry === undefined || offeredExpiry > heldExpiry;
}

type Stats = Record<string, unknown>;

/**
 * The type ('host', 'srflx', 'prflx', 'relay') of the local candidate of the
 * selected candidate pair in a transport's stats; undefined when none is
 * selected (not connected yet). Chromium and Safari name the pair on the
 * 'transport' entry; Firefox marks it `selected`.
 */
export function selectedLocalCandidateType(report: RTCStatsReport): string | undefined {
  const all = [...(report as unknown as Map<string, Stats>).values()];
  const transport = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    (transport && (report.get(transport.selectedCandidatePairId as string) as Stats | undefined)) ??
    all.find((s) => s.type === 'candidate-pair' && s.selected === true);
  if (!pair || typeof pair.localCandidateId !== 'string') return undefined;
  const local = report.get(pair.localCandidateId) as Stats | undefined;
  return typeof local?.candidateType === 'string' ? local.candidateType : undefined;
}

/**
 * Gives new ICE servers to each open transport and asks `restartIce` for the
 * ones whose selected path goes through a relay. Resolves with the transports
 * restarted; a transport that fails here is logged by `onError` and skipped.
 */
export async function renewTransports<T extends RenewableTransport>(
  transports: readonly (T | null)[],
  iceServers: RTCIceServer[],
  restartIce: (transport: T) => void,
  onError: (transport: T, error: unknown) => void,
): Promise<T[]> {
  const restarted: T[] = [];
  await Promise.all(
    transports.map(async (transport) => {
      if (!transport || transport.closed) return;
      try {
        await transport.updateIceServers({ iceServers });
        if (transport.closed) return;
        if (selectedLocalCandidateType(await transport.getStats()) !== 'relay') return;
        if (transport.closed) return;
        restartIce(transport);
        restarted.push(transport);
      } catch (error) {
        onError(transport, error);
      }
    }),
  );
  return restarted;
}
