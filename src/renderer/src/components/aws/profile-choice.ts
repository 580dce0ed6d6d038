import { SANDBOX_PROFILE, type ProfileList } from '../../../../shared/aws';
import type { Settings } from '../../../../shared/settings';

/** The profile calls use: the one chosen in the header, else the AWS CLI's current one, else the Sandbox. */
export function effectiveProfile(settings: Settings | undefined, profiles: ProfileList | undefined): string {
  return settings?.profile ?? profiles?.currentProfile ?? SANDBOX_PROFILE;
}
