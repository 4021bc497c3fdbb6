import * as fs from 'fs';
import * as path from 'path';

/**
 * The function's IAM as src/connect_user/permissions.json states it: the one source of truth,
 * copied into this package as lib/permissions.json when it is built (scripts/copy-permissions.js;
 * test/package.test.ts fails when the copy differs), so that an app outside the repository
 * synthesizes with the permissions of the function it deploys. Every action the function may
 * call, each with the abstract resources (`instance`, `user`, ..., `password-secret`) it is
 * granted on. Internal: not part of the package's API.
 */
export interface Permissions {
  readonly resources: { readonly [name: string]: { readonly arn: string } };
  readonly statements: ReadonlyArray<PermissionStatement>;
}

/** One statement of permissions.json. */
export interface PermissionStatement {
  readonly sid: string;
  readonly actions: ReadonlyArray<string>;
  readonly resources: ReadonlyArray<string>;
}

/** The abstract resource for the secret the users' PasswordSecretArn names. */
export const PASSWORD_SECRET = 'password-secret';

/** Where the package's copy of permissions.json is: beside this module in lib/. */
export const PERMISSIONS_FILE = path.join(__dirname, 'permissions.json');

/** Reads and checks permissions.json (its shape only; tests/iam_check.py checks its content). */
export function loadPermissions(file: string = PERMISSIONS_FILE): Permissions {
  if (!fs.existsSync(file)) {
    throw new Error(
      `connect-user-resource-cdk: ${file} is missing; the package's build copies it from ` +
        'src/connect_user/permissions.json (npm run build)',
    );
  }
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Permissions;
  if (!parsed || typeof parsed.resources !== 'object' || !Array.isArray(parsed.statements)) {
    throw new Error(`${file}: expected "resources" and "statements"`);
  }
  for (const statement of parsed.statements) {
    if (!statement.sid || !Array.isArray(statement.actions) || !Array.isArray(statement.resources)) {
      throw new Error(`${file}: a statement lacks sid, actions or resources`);
    }
    for (const name of statement.resources) {
      if (name !== PASSWORD_SECRET && !parsed.resources[name]) {
        throw new Error(`${file}: statement ${statement.sid} names the unknown resource ${name}`);
      }
    }
  }
  return parsed;
}
