// The construct's synth-time rules against the cases in rule-cases.json, which
// tests/e2e/cdk_rules.rs runs through the function's parser: both must agree with every case.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Channel, ConnectUser, ConnectUserFunction, ConnectUserProps, PhoneType } from '../lib';
import { basicProps, stack, standInCode } from './support';

const RULES = [
  'name',
  'securityProfileIds',
  'routingProfile',
  'securityProfiles',
  'hierarchyGroup',
  'deskPhone',
  'tag',
  'tagCount',
  'adoptExistingUser',
] as const;

interface Case {
  rule: (typeof RULES)[number];
  valid: boolean;
  why: string;
  propPath: string;
  name?: string;
  password?: boolean;
  id?: unknown;
  byName?: unknown;
  count?: number;
  in?: 'phoneConfig' | 'phoneNumberConfigs';
  phoneType?: string;
  number?: string;
  key?: string;
  value?: unknown;
}

const cases: Case[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'rule-cases.json'), 'utf8')).cases;

/**
 * The props of one case: the base user with the one change the case makes. A case's user with
 * a password has a `passwordSecret` (an imported secret of `scope`).
 */
function propsOf(c: Case, scope: Stack): ConnectUserProps {
  const props = basicProps();
  switch (c.rule) {
    case 'name': {
      const passwordSecret = c.password
        ? secretsmanager.Secret.fromSecretCompleteArn(
            scope,
            'Password',
            'arn:aws:secretsmanager:eu-west-1:111122223333:secret:agent-password-AbCdEf',
          )
        : undefined;
      return { ...props, name: c.name!, passwordSecret };
    }
    case 'securityProfileIds':
      return { ...props, securityProfileIds: Array.from({ length: c.count! }, (_, i) => `sp-${i}`) };
    // Each pair exactly as the case gives it: the base's id left out, each field only if given.
    case 'routingProfile':
      return {
        ...props,
        routingProfileId: 'id' in c ? (c.id as string) : undefined,
        routingProfileName: 'byName' in c ? (c.byName as string) : undefined,
      };
    case 'securityProfiles':
      return {
        ...props,
        securityProfileIds: 'id' in c ? (c.id as string[]) : undefined,
        securityProfileNames: 'byName' in c ? (c.byName as string[]) : undefined,
      };
    case 'hierarchyGroup':
      return {
        ...props,
        hierarchyGroupId: 'id' in c ? (c.id as string) : undefined,
        hierarchyGroupName: 'byName' in c ? (c.byName as string) : undefined,
      };
    case 'deskPhone':
      return c.in === 'phoneConfig'
        ? { ...props, phoneConfig: { phoneType: c.phoneType as PhoneType, deskPhoneNumber: c.number } }
        : {
            ...props,
            phoneConfig: undefined,
            phoneNumberConfigs: [{ channel: Channel.VOICE, phoneType: c.phoneType as PhoneType, phoneNumber: c.number }],
          };
    case 'tag':
      return { ...props, tags: { [c.key!]: c.value as string } };
    case 'tagCount':
      return { ...props, tags: Object.fromEntries(Array.from({ length: c.count! }, (_, i) => [`tag-${i}`, 'x'])) };
    case 'adoptExistingUser':
      return { ...props, adoptExistingUser: c.value as boolean };
  }
}

/** The problems a ConnectUser error lists, each `<propPath> <message>`. */
function problemsOf(error: Error): string[] {
  const marker = 'invalid ConnectUser props: ';
  const at = error.message.indexOf(marker);
  assert.ok(at >= 0, error.message);
  return error.message.slice(at + marker.length).split('; ');
}

describe('the rules the construct shares with the function (rule-cases.json)', () => {
  it('covers each rule with valid and invalid cases', () => {
    for (const rule of RULES) {
      assert.ok(cases.some((c) => c.rule === rule && c.valid), rule);
      assert.ok(cases.some((c) => c.rule === rule && !c.valid), rule);
    }
    assert.deepEqual(
      cases.filter((c) => !RULES.includes(c.rule)).map((c) => c.rule),
      [],
      'a rule this test does not know',
    );
  });

  it('covers the name rules with and without a password', () => {
    for (const password of [true, false]) {
      for (const valid of [true, false]) {
        assert.ok(
          cases.some((c) => c.rule === 'name' && Boolean(c.password) === password && c.valid === valid),
          `password ${password}, valid ${valid}`,
        );
      }
    }
    // The same name both ways: a rule of password users only.
    const validNames = (password: boolean) =>
      new Set(cases.filter((c) => c.rule === 'name' && Boolean(c.password) === password && c.valid).map((c) => c.name));
    const withPassword = cases.filter((c) => c.rule === 'name' && c.password && !c.valid);
    assert.ok(withPassword.some((c) => validNames(false).has(c.name)), 'a name valid only without a password');
  });

  for (const c of cases) {
    it(`${c.rule}: ${c.why} is ${c.valid ? 'valid' : `refused, naming ${c.propPath}`}`, () => {
      const make = () => {
        const s = stack();
        return new ConnectUser(s, 'User', propsOf(c, s));
      };
      if (c.valid) {
        make();
      } else {
        assert.throws(make, (error: Error) => problemsOf(error).some((p) => p.startsWith(`${c.propPath} `)));
      }
    });
  }

  // Each tag case again, as the one default tag of the function.
  for (const c of cases.filter((c) => c.rule === 'tag')) {
    const path = `defaultTags.${[...c.key!].slice(0, 64).join('')}`;
    it(`defaultTags: ${c.why} is ${c.valid ? 'valid' : `refused, naming ${path}`}`, () => {
      const make = () =>
        new ConnectUserFunction(new Stack(), 'F', { code: standInCode(), defaultTags: { [c.key!]: c.value as string } });
      if (c.valid) {
        make();
      } else {
        assert.throws(make, (error: Error) => error.message.includes(`${path} `));
      }
    });
  }
});
