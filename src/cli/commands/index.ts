import type { Command } from 'commander';
import type { CliIO } from '../program';

export type RegisterCommand = (program: Command, io: CliIO) => void;

/** Every subcommand registers itself here; one line per command file. */
export const commands: RegisterCommand[] = [];
