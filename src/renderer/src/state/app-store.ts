import { create } from 'zustand';
import type { AppInfo } from '../../../shared/contract';
import type { Notice } from '../../../shared/notice';
import type { Settings } from '../../../shared/settings';

export const PAGES = ['projects', 'bakes', 'settings'] as const;
export type Page = (typeof PAGES)[number];

interface AppState {
  page: Page;
  info?: AppInfo;
  settings?: Settings;
  notices: Notice[];
  go: (page: Page) => void;
  setInfo: (info: AppInfo) => void;
  setSettings: (settings: Settings) => void;
  addNotice: (notice: Notice) => void;
  removeNotice: (id: string) => void;
}

export const useAppStore = create<AppState>((set) => ({
  page: 'projects',
  notices: [],
  go: (page) => set({ page }),
  setInfo: (info) => set({ info }),
  setSettings: (settings) => set({ settings }),
  addNotice: (notice) =>
    set((state) => ({ notices: [...state.notices.filter((n) => n.id !== notice.id), notice] })),
  removeNotice: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
}));
