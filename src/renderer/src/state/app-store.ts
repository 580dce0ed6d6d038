import { create } from 'zustand';
import type { AppInfo } from '../../../shared/contract';
import type { Notice } from '../../../shared/notice';
import type { Settings } from '../../../shared/settings';

/** Where the user is. Top-level pages are in the navigation; project and bake pages open from lists. */
export type Route =
  | { page: 'projects' }
  | { page: 'project'; name: string }
  | { page: 'bakes' }
  | { page: 'bake'; id: string }
  | { page: 'deployment'; id: string }
  | { page: 'settings' };
export type TopPage = 'projects' | 'bakes' | 'settings';

/** Which navigation entry a route belongs to. */
export function sectionOf(route: Route): TopPage {
  if (route.page === 'project' || route.page === 'deployment') return 'projects';
  if (route.page === 'bake') return 'bakes';
  return route.page;
}

/**
 * Leaving a page with unsaved work asks first: a page registers a guard that returns false to stay
 * (after asking the person). Only one page is shown at a time, so one guard is enough.
 */
type LeaveGuard = () => boolean | Promise<boolean>;

interface AppState {
  route: Route;
  info?: AppInfo;
  settings?: Settings;
  notices: Notice[];
  leaveGuard?: LeaveGuard;
  navigate: (route: Route) => Promise<void>;
  setLeaveGuard: (guard: LeaveGuard | undefined) => void;
  setInfo: (info: AppInfo) => void;
  setSettings: (settings: Settings) => void;
  addNotice: (notice: Notice) => void;
  removeNotice: (id: string) => void;
}

const ROUTE_KEY = 'quadraxis.route';

/** A reload (or a renderer restart) comes back to the page it left, not to the projects list. */
function restoredRoute(): Route {
  try {
    const raw = JSON.parse(sessionStorage.getItem(ROUTE_KEY) ?? 'null') as Partial<Route> | null;
    if (raw?.page === 'project' && typeof raw.name === 'string') return { page: 'project', name: raw.name };
    if (raw?.page === 'bake' && typeof raw.id === 'string') return { page: 'bake', id: raw.id };
    if (raw?.page === 'deployment' && typeof raw.id === 'string') return { page: 'deployment', id: raw.id };
    if (raw?.page === 'projects' || raw?.page === 'bakes' || raw?.page === 'settings')
      return { page: raw.page };
  } catch {
    // Unreadable: start from the projects list.
  }
  return { page: 'projects' };
}

export const useAppStore = create<AppState>((set, get) => ({
  route: restoredRoute(),
  notices: [],
  navigate: async (route) => {
    const guard = get().leaveGuard;
    if (guard && !(await guard())) return;
    set({ route, leaveGuard: undefined });
    sessionStorage.setItem(ROUTE_KEY, JSON.stringify(route));
  },
  setLeaveGuard: (leaveGuard) => set({ leaveGuard }),
  setInfo: (info) => set({ info }),
  setSettings: (settings) => set({ settings }),
  addNotice: (notice) =>
    set((state) => ({ notices: [...state.notices.filter((n) => n.id !== notice.id), notice] })),
  removeNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
}));
