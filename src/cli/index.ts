import { runCli } from './program';

// Plain Node entry: no Electron here. bin/quadraxis.cjs loads the built copy of this file.

// The pinned AWS SDK works on Node 20 but warns on every run that *later* releases will not; in a CI log
// that line is noise. The app itself runs on Electron's newer Node and never sees it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
