#!/usr/bin/env node
'use strict';
// The CLI is bundled by `npm run build` (electron-vite) into out/main/cli.js, beside the app's main bundle.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    'quadraxis: the CLI is not built yet; run `npm run build` in ' + path.dirname(__dirname) + '\n',
  );
  process.exit(1);
}
require(entry);
