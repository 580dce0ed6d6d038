import type { Command } from 'commander';
import type { CliIO } from '../program';
import { registerBake } from './bake';
import { registerBakes } from './bakes';
import { registerCheck } from './check';
import { registerDeploy } from './deploy';
import { registerDeployments } from './deployments';
import { registerPolicy } from './policy';
import { registerProfiles } from './profiles';
import { registerProjects } from './projects';
import { registerRollback } from './rollback';
import { registerPrune } from './prune';
import { registerSandbox } from './sandbox';
import { registerServe } from './serve';
import { registerSweep } from './sweep';
import { registerTriggers } from './triggers';

export type RegisterCommand = (program: Command, io: CliIO) => void;

/** Every subcommand registers itself here; one line per command file. */
export const commands: RegisterCommand[] = [
  registerProjects,
  registerBakes,
  registerSandbox,
  registerProfiles,
  registerCheck,
  registerPolicy,
  registerBake,
  registerSweep,
  registerServe,
  registerTriggers,
  registerDeploy,
  registerDeployments,
  registerRollback,
  registerPrune,
];
