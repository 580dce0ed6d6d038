import { useCallback, useEffect, useRef, useState } from 'react';
import type { TargetSelection } from '../../../../shared/ipc/aws.contract';
import { REGION_PATTERN } from '../../../../shared/project';
import type { AppErrorPayload, Result } from '../../../../shared/result';
import { useAppStore } from '../../state/app-store';
import { useAwsStore } from '../../state/aws-store';
import { effectiveProfile } from './profile-choice';

export interface PickerState<T> {
  data?: T;
  error?: AppErrorPayload;
  loading: boolean;
  /** Asks again, skipping main's short cache. */
  refresh: () => void;
}

/**
 * Loads a picker's list whenever `key` changes (null: not possible yet, e.g. no VPC chosen). Only the answer
 * for the current key is shown, so a slow answer for an old region never lands on a new one; a failing call
 * shows as an error beside the field and leaves the rest of the form alone.
 */
export function usePicker<T>(
  key: string | null,
  load: (refresh: boolean) => Promise<Result<T>>,
): PickerState<T> {
  const [answer, setAnswer] = useState<{ key: string; data?: T; error?: AppErrorPayload }>();
  const [refreshing, setRefreshing] = useState(false);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const seq = useRef(0);
  const fetchFor = useCallback(async (forKey: string, refresh: boolean) => {
    const mine = ++seq.current;
    const result = await loadRef.current(refresh);
    if (mine !== seq.current) return;
    setAnswer(result.ok ? { key: forKey, data: result.value } : { key: forKey, error: result.error });
    setRefreshing(false);
  }, []);
  useEffect(() => {
    if (key !== null) void fetchFor(key, false);
  }, [key, fetchFor]);

  const current = answer?.key === key ? answer : undefined;
  return {
    ...(current?.data !== undefined ? { data: current.data } : {}),
    ...(current?.error ? { error: current.error } : {}),
    loading: key !== null && (current === undefined || refreshing),
    refresh: () => {
      if (key === null) return;
      setRefreshing(true);
      void fetchFor(key, true);
    },
  };
}

/**
 * Where the form's pickers look: the header's profile, and the project's own region when it has one (else the
 * header's). `scope` changes whenever either does, so every picker reloads.
 */
export function usePickerTarget(projectRegion: string): { target: TargetSelection; scope: string } {
  const settings = useAppStore((s) => s.settings);
  const profiles = useAwsStore((s) => s.profiles);
  const profile = effectiveProfile(settings, profiles);
  const region = REGION_PATTERN.test(projectRegion) ? projectRegion : settings?.region;
  return { target: { profile, ...(region ? { region } : {}) }, scope: `${profile}\u0000${region ?? ''}` };
}

/** The sentence under a picker whose list could not be read. */
export function pickerError(what: string, error: AppErrorPayload | undefined): string | undefined {
  return error ? `Could not list ${what}: ${error.message}` : undefined;
}
