// The package as users install it: the permissions copy, the jsii assembly's API, the roles
// cdk-nag asks for, and `Tags.of` reaching the users.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConnectUser, ConnectUserFunction, ResponseMode } from '../lib';
import { basicProps, Json, list, onlyResource, resources, stack, standInCode } from './support';

const ROOT = path.resolve(__dirname, '..', '..');

/** The `Tags` property of each user, by its construct id. */
function userTags(s: Stack): { [id: string]: Json | undefined } {
  const template = Template.fromStack(s);
  return Object.fromEntries(
    resources(template, 'Custom::ConnectUser').map(([id, user]) => [id.replace(/[0-9A-F]{8}$/, ''), user.Properties.Tags]),
  );
}

describe('the package', () => {
  it('carries a copy of permissions.json equal to the source', () => {
    const source = fs.readFileSync(path.join(ROOT, 'src', 'connect_user', 'permissions.json'));
    const copy = fs.readFileSync(path.join(__dirname, '..', 'lib', 'permissions.json'));
    assert.ok(copy.equals(source), 'lib/permissions.json differs from src/connect_user/permissions.json: npm run build');
  });

  it('exposes to every jsii language the constructs, their props and static helpers only', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));
    assert.equal(assembly.license, 'Apache-2.0');
    assert.deepEqual(Object.keys(assembly.targets).sort(), ['dotnet', 'go', 'java', 'js', 'python']);
    const names = Object.keys(assembly.types).map((fqn) => fqn.replace(/^connect-user-resource-cdk\./, ''));
    assert.deepEqual(names.sort(), [
      'AfterContactWorkChannelConfig', 'AfterContactWorkLimit', 'AutoAcceptConfig', 'Channel', 'ConnectUser',
      'ConnectUserFunction', 'ConnectUserFunctionProps', 'ConnectUserProps', 'IdentityInfo',
      'PersistentConnectionConfig', 'PhoneConfig', 'PhoneNumberConfig', 'PhoneType', 'PropProblem', 'ResponseMode',
      'UserProficiency', 'VoiceEnhancementConfig', 'VoiceEnhancementMode',
    ]);
    const user = assembly.types['connect-user-resource-cdk.ConnectUser'];
    assert.deepEqual(user.methods.map((m: Json) => `${m.static ? 'static ' : ''}${m.name}`), ['static validate']);
    assert.deepEqual(user.interfaces, ['aws-cdk-lib.ITaggableV2']);
    assert.equal(ConnectUser.validate({ ...basicProps(), name: '' })[0].path, 'name');
    assert.deepEqual(ConnectUser.validate(basicProps()), []);
  });
});

describe('the roles (cdk-nag AwsSolutions-IAM4: no AWSLambdaBasicExecutionRole)', () => {
  it('let the function write its own log group and no other, with no managed policy', () => {
    const s = stack();
    new ConnectUser(s, 'Agent', basicProps());
    const template = Template.fromStack(s);
    for (const [, role] of resources(template, 'AWS::IAM::Role')) assert.equal(role.Properties.ManagedPolicyArns, undefined);
    const [logsId] = onlyResource(template, 'AWS::Logs::LogGroup');
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    assert.deepEqual(fn.Properties.LoggingConfig.LogGroup, { Ref: logsId });
    const writes = resources(template, 'AWS::IAM::Policy')
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => list(st.Action).some((a: string) => a.startsWith('logs:')));
    assert.deepEqual(writes, [
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logsId, 'Arn'] },
      },
    ]);
  });

  it('give the Provider framework a log group and a role of its own, and no log-retention function', () => {
    const s = new Stack();
    const fn = new ConnectUserFunction(s, 'F', { code: standInCode(), responseMode: ResponseMode.RETURN });
    new ConnectUser(s, 'Agent', { ...basicProps(), function: fn });
    const template = Template.fromStack(s);
    assert.equal(resources(template, 'Custom::LogRetention').length, 0);
    for (const [, role] of resources(template, 'AWS::IAM::Role')) assert.equal(role.Properties.ManagedPolicyArns, undefined);
    const functions = resources(template, 'AWS::Lambda::Function');
    assert.equal(functions.length, 2);
    const groups = resources(template, 'AWS::Logs::LogGroup').map(([id]) => id);
    const used = functions.map(([, f]) => f.Properties.LoggingConfig.LogGroup.Ref);
    assert.deepEqual(used.sort(), groups.sort(), 'each function logs to a log group of its own');
    const framework = functions.find(([, f]) => f.Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN)!;
    const frameworkRole = framework[1].Properties.Role['Fn::GetAtt'][0];
    const policies = resources(template, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles[0].Ref === frameworkRole);
    const frameworkLogs = framework[1].Properties.LoggingConfig.LogGroup.Ref;
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    assert.deepEqual(
      statements.find((st) => st.Sid === 'WriteOwnLogs')?.Resource,
      { 'Fn::GetAtt': [frameworkLogs, 'Arn'] },
    );
  });
});

describe('Tags.of reaches the users', () => {
  it('puts a scope\'s tags beneath the user\'s own: the user\'s value wins on a key', () => {
    const s = stack();
    new ConnectUser(s, 'Plain', basicProps());
    new ConnectUser(s, 'Own', { ...basicProps(), name: 'agent.two', tags: { CostCenter: 'mine', team: 'a' } });
    Tags.of(s).add('CostCenter', '1234');
    Tags.of(s).add('Env', 'prod');
    assert.deepEqual(userTags(s), {
      Plain: { CostCenter: '1234', Env: 'prod' },
      Own: { CostCenter: 'mine', Env: 'prod', team: 'a' },
    });
  });

  it('sends no Tags when neither the user nor a scope has any, and honours excludeResourceTypes', () => {
    const none = stack();
    new ConnectUser(none, 'Plain', basicProps());
    assert.deepEqual(userTags(none), { Plain: undefined });
    // A new stack: an app's aspects (the tags) run once, at its first synth.
    const s = stack();
    new ConnectUser(s, 'Plain', basicProps());
    Tags.of(s).add('CostCenter', '1234', { excludeResourceTypes: ['Custom::ConnectUser'] });
    assert.deepEqual(userTags(s), { Plain: undefined });
    const [, fn] = onlyResource(Template.fromStack(s), 'AWS::Lambda::Function');
    assert.deepEqual(fn.Properties.Tags, [{ Key: 'CostCenter', Value: '1234' }]);
  });

  it('keeps the 49-tag budget: the user\'s own tags fit, scope tags fill the rest in key order, with a warning', () => {
    const s = stack();
    const own = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`own-${i}`, 'x']));
    new ConnectUser(s, 'Crowded', { ...basicProps(), tags: own });
    Tags.of(s).add('zeta', '1');
    Tags.of(s).add('Alpha', '1');
    Tags.of(s).add('beta', '1');
    const tags = userTags(s).Crowded!;
    assert.equal(Object.keys(tags).length, 49);
    // Byte order: upper case before lower case, so Alpha fits.
    assert.equal(tags.Alpha, '1');
    assert.equal(tags.beta, undefined);
    assert.equal(tags.zeta, undefined);
    Annotations.fromStack(s).hasWarning(
      '/Test/Crowded',
      Match.stringLikeRegexp('its own tags win, and the scope tags beta, zeta are left off this user'),
    );
  });

  it('counts scope tags before the function\'s defaultTags in the budget', () => {
    const s = new Stack();
    ConnectUserFunction.singleton(s, { code: standInCode(), defaultTags: { Default: 'd' } });
    const own = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`own-${i}`, 'x']));
    new ConnectUser(s, 'Crowded', { ...basicProps(), tags: own });
    Tags.of(s).add('Scope', '1');
    Annotations.fromStack(s).hasWarning('/Default/Crowded', Match.stringLikeRegexp('leaves off the defaults Default'));
  });

  it('fails the synth on a scope tag Connect would refuse, naming it', () => {
    const s = stack();
    new ConnectUser(s, 'Agent', basicProps());
    Tags.of(s).add('a*b', '1');
    assert.throws(() => Template.fromStack(s), /tags of a scope \(Tags\.of\)\.a\*b key may contain only letters/);
  });
});
