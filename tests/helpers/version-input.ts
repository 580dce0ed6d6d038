import type { VersionInput } from '../../src/main/services/store';
import { T0 } from './bake-record';

/** A recorded version of `project` as a simulated bake leaves it; `more` sets any other field. */
export function versionInput(project: string, more: Partial<VersionInput> = {}): VersionInput {
  return {
    project,
    bakeId: 'bk_0000000001aaaaaaaaaa',
    createdAt: T0,
    profile: 'sandbox',
    region: 'us-east-1',
    simulated: true,
    imageId: 'ami-0123456789abcdef0',
    imageName: `${project}-1`,
    snapshotIds: [],
    baseImageId: 'ami-0fedcba9876543210',
    instanceType: 't3.micro',
    initScript: '#!/bin/sh\n',
    scriptSha256: '0'.repeat(64),
    env: {},
    stepDurationsMs: {},
    apiCalls: 1,
    durationMs: 1000,
    appVersion: '0.1.0',
    tags: {},
    ...more,
  };
}
