// The construct's synth-time rules against the cases in rule-cases.json, which
// tests/e2e/cdk_rules.rs runs through the function's parser: both must agree with every case.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Channel, ConnectUser, ConnectUserFunction, ConnectUserProps, PhoneType } from '../lib';
import { basicProps, stack, standInCode } from './support';

interface Case {
  rule: 'name' | 'securityProfileIds' | 'deskPhone' | 'tag' | 'tagCount' | 'adoptExistingUser';
  valid: boolean;
  why: string;
  propPath: string;
  name?: string;
  count?: number;
  in?: 'phoneConfig' | 'phoneNumberConfigs';
  phoneType?: string;
  number?: string;
  key?: string;
  value?: unknown;
}

const cases: Case[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'rule-cases.json'), 'utf8')).cases;

/** The props of one case: the base user with the one change the case makes. */
function propsOf(c: Case): ConnectUserProps {
  const props = basicProps();
  switch (c.rule) {
    case 'name':
      return { ...props, name: c.name! };
    case 'securityProfileIds':
      return { ...props, securityProfileIds: Array.from({ length: c.count! }, (_, i) => `sp-${i}`) };
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

describe('the rules the construct shares with the function (rule-cases.json)', () => {
  it('covers each rule with valid and invalid cases', () => {
    for (const rule of ['name', 'securityProfileIds', 'deskPhone', 'tag', 'tagCount', 'adoptExistingUser']) {
      assert.ok(cases.some((c) => c.rule === rule && c.valid), rule);
      assert.ok(cases.some((c) => c.rule === rule && !c.valid), rule);
    }
  });

  for (const c of cases) {
    it(`${c.rule}: ${c.why} is ${c.valid ? 'valid' : `refused, naming ${c.propPath}`}`, () => {
      const make = () => new ConnectUser(stack(), 'User', propsOf(c));
      if (c.valid) {
        make();
      } else {
        assert.throws(make, (error: Error) => error.message.includes(`${c.propPath} `));
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
