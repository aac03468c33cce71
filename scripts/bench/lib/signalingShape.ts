/** The signaling benchmark's shape: clients, projects, meetings, generators, and its chat and idle steps. */
export const CLIENTS = 1000;
export const PROJECT_SIZE = 50;
export const MEETING_SIZE = 10;
export const GENERATORS = 2;
/** Closed loop: chat messages outstanding per generator. */
export const CHAT_IN_FLIGHT = 16;
/** The paced step sends this share of what the closed loop reached. */
export const PACED_SHARE = 0.5;
/**
 * Idle before the "nobody connected" reading: V8's memory reducer, which
 * frees start-up's garbage and bytecode run once, works in idle time about
 * ten seconds after start; a reading 1 s after start counts what start-up
 * left for it (both are printed).
 */
export const IDLE_MS = 20_000;
