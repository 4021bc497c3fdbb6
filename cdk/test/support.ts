import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as assert from 'node:assert/strict';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConnectUserFunction, ConnectUserProps, PhoneType } from '../lib';

/** A stand-in for the function's code: a directory with a dummy `bootstrap` (never run). */
export function standInCode(): lambda.Code {
  return lambda.Code.fromAsset(standInDir());
}

/** The directory of the stand-in code. */
export function standInDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-user-cdk-test-'));
  fs.writeFileSync(path.join(dir, 'bootstrap'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return dir;
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

export type Json = { [key: string]: any };

export function resources(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type));
}

export function onlyResource(template: Template, type: string): [string, Json] {
  const found = resources(template, type);
  assert.equal(found.length, 1, `${type}: ${found.map(([id]) => id).join(', ')}`);
  return found[0];
}

/** The statements of the function's role's policies, by Sid. */
export function statements(template: Template): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
    for (const statement of policy.Properties.PolicyDocument.Statement) out.set(statement.Sid, statement);
  }
  return out;
}

export function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
