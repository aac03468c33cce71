/**
 * Why a page limited to TURN relays receives no media, step by step: the
 * TURN server reached and an allocation granted (a relay candidate
 * gathered, or the icecandidateerror codes that say why not), the checks
 * through the relay to the SFU answered (coturn's permission and the path
 * from the relay to the SFU), DTLS, then RTP received (the consumers). A
 * failed media check appends it to its message (test/relayMeeting.ts), so
 * that a flaky failure in CI says which step died without a rerun.
 */
import type { Page } from 'puppeteer-core';

/**
 * Page script, after KEEP_PEER_CONNECTIONS: each kept connection's local
 * candidates as gathered (getStats lists only those in a pair),
 * icecandidateerror events and state changes, with the time since the page
 * began, in window.__iceEvents.
 */
export const RECORD_ICE_EVENTS = `(() => {
  const Kept = window.RTCPeerConnection;
  const events = [];
  window.__iceEvents = events;
  window.RTCPeerConnection = class extends Kept {
    constructor(...args) {
      super(...args);
      const pc = (window.__pcs || []).indexOf(this);
      const at = () => Math.round(performance.now());
      this.addEventListener('icecandidate', (e) => {
        const c = e.candidate;
        if (c && c.candidate) events.push({ at: at(), pc, what: 'candidate ' + c.type + '/' + (c.relayProtocol || c.protocol) + ' ' + c.address + ':' + c.port });
      });
      this.addEventListener('icecandidateerror', (e) =>
        events.push({ at: at(), pc, what: 'icecandidateerror ' + e.errorCode + ' ' + e.errorText + ' ' + e.url + ' from ' + e.address + ':' + e.port }));
      for (const kind of ['iceconnectionstatechange', 'connectionstatechange', 'icegatheringstatechange'])
        this.addEventListener(kind, () =>
          events.push({ at: at(), pc, what: kind.replace('statechange', '') + ' ' + (kind === 'iceconnectionstatechange' ? this.iceConnectionState : kind === 'connectionstatechange' ? this.connectionState : this.iceGatheringState) }));
    }
  };
})();`;

export interface PcReport {
  index: number;
  /** 'send', 'recv' or '?' (from the transceivers' directions). */
  role: string;
  /** The ICE transport policy: 'relay' on a page limited to TURN relays. */
  policy: string;
  connectionState: string;
  iceConnectionState: string;
  /** Local candidates gathered: type/protocol (relayProtocol for a relay one) and address:port. */
  local: string[];
  /** Every candidate pair: local and remote, state, checks sent and answered. */
  pairs: string[];
  dtlsState: string;
  /** Bytes the ICE transport received: anything at all from the SFU. */
  bytesReceived: number;
  /** inbound-rtp streams and their packets. */
  inbound: Array<{ kind: string; packets: number }>;
}

export interface IceDiagnosis {
  /** The first step that failed, in words. */
  step: string;
  pcs: PcReport[];
  events: Array<{ at: number; pc: number; what: string }>;
}

/** A string, not a function: tsx wraps named inner functions in a helper absent from the page. */
const READ_PCS = `(async () => {
  if (!window.__pcs) return null;
  const out = [];
  for (const [index, pc] of (window.__pcs || []).entries()) {
    if (pc.connectionState === 'closed') continue; // the client's closed probes and replaced connections
    let report;
    try {
      report = await pc.getStats();
    } catch {
      continue;
    }
    const all = [...report.values()];
    const byId = new Map(all.map((s) => [s.id, s]));
    const show = (c) => (c ? c.candidateType + '/' + (c.relayProtocol || c.protocol) + ' ' + c.address + ':' + c.port : '?');
    const directions = pc.getTransceivers().map((t) => t.currentDirection || t.direction);
    const transport = all.find((s) => s.type === 'transport');
    out.push({
      index,
      role: directions.some((d) => d === 'sendonly') ? 'send' : directions.some((d) => d === 'recvonly') ? 'recv' : '?',
      policy: pc.getConfiguration().iceTransportPolicy || 'all',
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      local: all.filter((s) => s.type === 'local-candidate').map(show),
      pairs: all
        .filter((s) => s.type === 'candidate-pair')
        .map((p) => show(byId.get(p.localCandidateId)) + ' -> ' + show(byId.get(p.remoteCandidateId)) + ' ' + p.state + (p.nominated ? ' nominated' : '') +
          ' checks ' + (p.requestsSent || 0) + '/' + (p.responsesReceived || 0)),
      dtlsState: transport ? String(transport.dtlsState) : 'none',
      bytesReceived: transport ? transport.bytesReceived || 0 : 0,
      inbound: all.filter((s) => s.type === 'inbound-rtp').map((s) => ({ kind: s.kind, packets: s.packetsReceived || 0 })),
    });
  }
  return { pcs: out, events: window.__iceEvents || [] };
})()`;

/** The first step that failed on one connection, or null when media arrives on it. */
export function failedStep(pc: PcReport, events: IceDiagnosis['events']): string | null {
  if (pc.dtlsState === 'connected' && (pc.role !== 'recv' || pc.inbound.some((s) => s.packets > 0))) return null;
  const own = events.filter((e) => e.pc === pc.index);
  const gatherings = own.filter((e) => e.what === 'icegathering gathering').length;
  const step = stepOf(pc, own);
  return gatherings > 1 ? `${step} (after ${gatherings - 1} ICE restarts)` : step;
}

function stepOf(pc: PcReport, own: IceDiagnosis['events']): string {
  if (pc.policy === 'relay' && !pc.local.some((c) => c.startsWith('relay/')) && !own.some((e) => e.what.startsWith('candidate relay/'))) {
    const errors = own.filter((e) => e.what.startsWith('icecandidateerror')).map((e) => e.what.replace(/ from \S+$/, ''));
    if (errors.length === 0) return 'TURN allocation: no relay candidate and no error reported (still gathering?)';
    const unreachable = errors.every((e) => e.startsWith('icecandidateerror 701'));
    return `${unreachable ? 'ICE to coturn: the TURN server never answered' : 'TURN allocation refused'} (${[...new Set(errors)].join('; ')})`;
  }
  const relay = pc.policy === 'relay';
  if (pc.pairs.length === 0) return 'ICE: candidates but no pair (no remote candidate from the SFU?)';
  if (!pc.pairs.some((p) => / succeeded/.test(p))) {
    if (pc.pairs.some((p) => !/ checks \d+\/0$/.test(p))) return 'ICE: checks answered but no pair succeeded';
    return relay ? 'TURN permission or relay→SFU path: checks sent through the relay, none answered' : 'ICE: checks sent, none answered';
  }
  if (pc.dtlsState !== 'connected') return `DTLS: ICE connected, DTLS ${pc.dtlsState}`;
  return `consume: transport connected, no RTP received (${pc.inbound.length} inbound streams)`;
}

/**
 * Reads the page's kept connections (KEEP_PEER_CONNECTIONS, RECORD_ICE_EVENTS) and names the
 * first failed step; null when the page keeps no connections.
 */
export async function diagnoseIce(page: Page): Promise<IceDiagnosis | null> {
  const read = (await page.evaluate(READ_PCS)) as Omit<IceDiagnosis, 'step'> | null;
  if (read === null) return null;
  const { pcs, events } = read;
  const steps = pcs.map((pc) => failedStep(pc, events)).flatMap((step, i) => (step === null ? [] : [`pc ${pcs[i]!.index} (${pcs[i]!.role}): ${step}`]));
  const step = pcs.length === 0 ? 'no peer connection at all (joining or transports not created)' : steps.length > 0 ? steps.join('; ') : 'every connection receives media';
  return { step, pcs, events };
}

/** The diagnosis as text for a failure message. */
export function describeIce(d: IceDiagnosis): string {
  const lines = [`failed step: ${d.step}`];
  for (const pc of d.pcs) {
    lines.push(
      `pc ${pc.index} (${pc.role}, ICE policy ${pc.policy}): connection ${pc.connectionState}, ICE ${pc.iceConnectionState}, DTLS ${pc.dtlsState}, ${pc.bytesReceived} bytes received, ` +
        `inbound ${JSON.stringify(pc.inbound)}`,
      `  local: ${pc.local.join(', ') || 'none'}`,
      ...pc.pairs.map((p) => `  pair ${p}`),
    );
  }
  // A restart loop makes hundreds: how many of each, then the first and the last ones.
  const kinds = new Map<string, number>();
  for (const e of d.events) {
    const kind = `pc${e.pc} ${e.what.replace(/^(candidate \S+|icecandidateerror \d+|\S+ \S+).*$/, '$1')}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const show = (events: IceDiagnosis['events']) => events.map((e) => `${e.at} pc${e.pc} ${e.what}`).join(' | ');
  lines.push(`events by kind: ${[...kinds].map(([kind, n]) => `${kind} ×${n}`).join(', ') || 'none'}`);
  if (d.events.length > 0) {
    lines.push(d.events.length <= 40 ? `events (ms since the page began): ${show(d.events)}` : `first events: ${show(d.events.slice(0, 20))}\nlast events: ${show(d.events.slice(-20))}`);
  }
  return lines.join('\n');
}
