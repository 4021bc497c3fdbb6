// Copies the function's IAM, src/connect_user/permissions.json (the one source of truth), into
// the package as lib/permissions.json, so that the package never reads the repository when an
// app synthesizes. test/package.test.ts fails when the copy differs from the source.
const fs = require('fs');
const path = require('path');

const source = path.resolve(__dirname, '..', '..', 'src', 'connect_user', 'permissions.json');
const copy = path.resolve(__dirname, '..', 'lib', 'permissions.json');
fs.mkdirSync(path.dirname(copy), { recursive: true });
fs.copyFileSync(source, copy);
