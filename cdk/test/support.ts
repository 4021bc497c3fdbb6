import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConnectUserFunction, ConnectUserProps, PhoneType } from '../lib';

/** A stand-in for the function's code: a directory with a dummy `bootstrap` (never run). */
export function standInCode(): lambda.Code {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-user-cdk-test-'));
  fs.writeFileSync(path.join(dir, 'bootstrap'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return lambda.Code.fromAsset(dir);
}

/** A stack whose singleton function has the stand-in code. */
export function stack(id = 'Test'): Stack {
  const s = new Stack(new App(), id, { env: { account: '111122223333', region: 'eu-west-1' } });
  ConnectUserFunction.singleton(s, { code: standInCode() });
  return s;
}

export const INSTANCE = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** A valid user with the fewest props (the base of rules.test.ts, as tests/e2e/cdk_rules.rs's). */
export function basicProps(): ConnectUserProps {
  return {
    instanceId: INSTANCE,
    name: 'agent.one',
    routingProfileId: 'rp-1',
    securityProfileIds: ['sp-0'],
    phoneConfig: { phoneType: PhoneType.SOFT_PHONE },
  };
}

/** permissions.json, read by the test itself. */
export function permissionsJson(): {
  resources: { [name: string]: { arn: string } };
  statements: { sid: string; actions: string[]; resources: string[] }[];
} {
  const file = path.resolve(__dirname, '..', '..', 'src', 'connect_user', 'permissions.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Every key of an object, at every depth, with its path. */
export function keysOf(value: unknown, at = ''): { path: string; key: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOf(v, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [{ path: at, key: k }, ...keysOf(v, at ? `${at}.${k}` : k)]);
  }
  return [];
}
