#!/usr/bin/env node
// kubectl-my as installed: the `bin` of the npm package (npm install -g) and of the krew archives
// (hack/krew-release.ts). It runs on whatever `node` the user has, so it is written in syntax every
// Node.js parses, as CommonJS (.cjs, whatever package.json surrounds it): it checks the version first
// and says what is wrong instead of failing on syntax an old Node.js cannot read. Then it loads the
// plugin and calls its exported run(), since main.ts's `import.meta.main` needs Node.js 24.2.
// (A clone runs bin/kubectl-my, which uses the project's own Node.js 24.)
'use strict';

// Held equal to package.json's engines.node by test/artifacts/npm-install.test.ts.
var minimum = { major: 22, minor: 19 };

var fs = require('fs');
var path = require('path');
var url = require('url');

var parts = process.versions.node.split('.');
var major = Number(parts[0]);
var minor = Number(parts[1]);
if (major < minimum.major || (major === minimum.major && minor < minimum.minor)) {
  process.stderr.write(
    'kubectl-my needs Node.js ' + minimum.major + '.' + minimum.minor + ' or newer; this is ' + process.version + ' (' + process.execPath + ')\n'
  );
  process.exit(1);
}

// A krew archive holds the bundle beside this file; the npm package holds the compiled dist/.
var bundle = path.join(__dirname, 'kubectl-my.mjs');
var entry = fs.existsSync(bundle) ? bundle : path.join(__dirname, '..', 'dist', 'cli', 'run.js');
import(url.pathToFileURL(entry).href).then(
  function (cli) {
    return cli.run(process.argv);
  },
  function (err) {
    process.stderr.write('error: kubectl-my could not load ' + entry + ': ' + (err && err.message) + '\n');
    process.exit(1);
  }
);
