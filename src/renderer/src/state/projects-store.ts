import { create } from 'zustand';
import type { ProjectSummary } from '../../../shared/ipc/projects.contract';
import { api, errorMessage, unwrap } from '../api';

interface ProjectsState {
  items?: ProjectSummary[];
  error?: string;
  query: string;
  setQuery: (query: string) => void;
  /** Reloads the list; calls made while one is in flight fold into one more reload after it. */
  load: () => Promise<void>;
}

let inFlight: Promise<void> | undefined;
let again = false;

export const useProjectsStore = create<ProjectsState>((set) => ({
  query: '',
  setQuery: (query) => set({ query }),
  load: () => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    const run = async (): Promise<void> => {
      try {
        set({ items: await unwrap(api.projects.list()), error: undefined });
      } catch (error) {
        set({ error: errorMessage(error) });
      }
      if (again) {
        again = false;
        return run();
      }
    };
    inFlight = run().finally(() => (inFlight = undefined));
    return inFlight;
  },
}));
