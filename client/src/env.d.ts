/// <reference types="vite/client" />
import type { RoomController } from './room/RoomController';

declare global {
  interface Window {
    /** The room controller, for browser tests and diagnostics (see main.tsx). */
    __chantier?: RoomController;
  }
}
