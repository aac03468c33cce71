import { useProject } from '../context';
import type { ProjectPlanning } from '../context';

/** The project page's planned meetings; null where the page has none (tests, other pages). */
export function usePlanning(): ProjectPlanning | null {
  return useProject().planning ?? null;
}
