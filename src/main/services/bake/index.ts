export { createBakeEngine } from './engine';
export type {
  BakeEngine,
  BakeFilter,
  Connect,
  ConnectRequest,
  Connection,
  ConsoleWatchOptions,
  EngineDeps,
  EngineStore,
  RecoveredBake,
  RecoveryReport,
  ShutdownOptions,
  StartRequest,
  SweepCandidate,
  SweepReport,
  SweepRequest,
} from './types';
export { buildUserData, measureUserData, USER_DATA_LIMIT_BYTES, type BuiltUserData } from './user-data';
export { buildCloudInitWrapper, buildScriptWrapper } from './wrapper';
export { renderImageName } from './image-name';
export { describeEvent, describeOutcome } from './progress-text';
export { finishedBakeNotice } from './finished-notice';
