import { create } from 'zustand';
import type { CallerIdentity, ProfileList, TargetSummary } from '../../../shared/aws';
import type { AppErrorPayload } from '../../../shared/result';
import { api, errorMessage, unwrap } from '../api';
import { effectiveProfile } from '../components/aws/profile-choice';
import { useAppStore } from './app-store';

export type IdentityState =
  | { status: 'idle' }
  | { status: 'loading'; key: string }
  | { status: 'ok'; key: string; target: TargetSummary; identity: CallerIdentity }
  | { status: 'error'; key: string; error: AppErrorPayload };

interface AwsState {
  profiles?: ProfileList;
  profilesError?: string;
  identity: IdentityState;
  loadProfiles: (refresh?: boolean) => Promise<void>;
  /** Who the chosen profile is; `refresh` drops cached credentials first (after `aws sso login`). */
  resolveIdentity: (refresh?: boolean) => Promise<void>;
  chooseProfile: (name: string) => Promise<void>;
  chooseRegion: (region: string | null) => Promise<void>;
}

const keyOf = (profile: string, region: string | undefined) => `${profile}\u0000${region ?? ''}`;

async function updateSettings(patch: { profile?: string; region?: string | null }): Promise<void> {
  useAppStore.getState().setSettings(await unwrap(api.settings.update(patch)));
}

export const useAwsStore = create<AwsState>((set, get) => ({
  identity: { status: 'idle' },
  loadProfiles: async (refresh = false) => {
    try {
      set({ profiles: await unwrap(api.aws.profiles({ refresh })), profilesError: undefined });
    } catch (error) {
      set({ profilesError: errorMessage(error) });
    }
  },
  resolveIdentity: async (refresh = false) => {
    const settings = useAppStore.getState().settings;
    const profile = effectiveProfile(settings, get().profiles);
    const region = settings?.region;
    const key = keyOf(profile, region);
    set({ identity: { status: 'loading', key } });
    const result = await api.aws.identity({ profile, ...(region ? { region } : {}), refresh });
    // The person may have picked another profile meanwhile: only the answer for the current choice counts.
    const latest = get().identity;
    if (latest.status === 'idle' || latest.key !== key) return;
    set({
      identity: result.ok
        ? { status: 'ok', key, target: result.value.target, identity: result.value.identity }
        : { status: 'error', key, error: result.error },
    });
  },
  chooseProfile: async (name) => {
    // A region chosen for one profile means nothing for another: it falls back to the new profile's own.
    await updateSettings({ profile: name, region: null });
  },
  chooseRegion: async (region) => {
    await updateSettings({ region });
  },
}));

export function identityError(state: IdentityState): AppErrorPayload | undefined {
  return state.status === 'error' ? state.error : undefined;
}
