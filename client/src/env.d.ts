/// <reference types="vite/client" />
import type { CallController } from './call/CallController';
import type { MarkupController } from './markup/MarkupController';
import type { RoomController } from './room/RoomController';

declare global {
  interface Window {
    /** The room controller, for browser tests and diagnostics (see main.tsx). */
    __chantier?: RoomController;
    /** The page's calls, for browser tests and diagnostics (see main.tsx). */
    __chantierCalls?: CallController;
    /** The markup of the presented document, for browser tests and diagnostics (see main.tsx). */
    __chantierMarkup?: MarkupController;
  }
}
