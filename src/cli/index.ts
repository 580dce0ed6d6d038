import { runCli } from './program';

// Plain Node entry: no Electron here. bin/quadraxis.cjs loads the built copy of this file.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `quadraxis: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
