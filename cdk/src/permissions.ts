import * as fs from 'fs';
import * as path from 'path';

/**
 * The function's IAM as src/connect_user/permissions.json states it: the one source of truth,
 * read when the app synthesizes (never copied). Every action the function may call, each with
 * the abstract resources (`instance`, `user`, ..., `password-secret`) it is granted on.
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

const RELATIVE = path.join('src', 'connect_user', 'permissions.json');

/** Where permissions.json is: the repository that holds this package (its cdk/ folder). */
export function permissionsPath(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `connect-user-resource-cdk: cannot find ${RELATIVE} above ${__dirname}; the library reads the ` +
          'function\'s IAM from the repository it ships in',
      );
    }
    dir = parent;
  }
}

/** Reads and checks permissions.json (its shape only; tests/iam_check.py checks its content). */
export function loadPermissions(file: string = permissionsPath()): Permissions {
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
