import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aws, CfnCondition, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  Channel,
  ConnectUser,
  ConnectUserFunction,
  PhoneType,
  ResponseMode,
  VoiceEnhancementMode,
} from '../lib';
import { basicProps, INSTANCE, Json, keysOf, list, onlyResource, permissionsJson, resources, stack, standInCode, statements } from './support';

/** The logical id of a construct's CloudFormation resource. */
function logicalIdOf(s: Stack, fn: lambda.Function): string {
  return s.resolve((fn.node.defaultChild as lambda.CfnFunction).logicalId);
}

describe('ConnectUser properties', () => {
  it('is one Custom::ConnectUser whose properties are PascalCase at every depth, tag keys and attribute names as given', () => {
    const s = stack();
    const secret = new secretsmanager.Secret(s, 'Password');
    new ConnectUser(s, 'Agent', {
      instanceId: INSTANCE,
      name: 'agent.one',
      passwordSecret: secret,
      passwordSecretKey: 'agentPassword',
      directoryUserId: 'dir-1',
      hierarchyGroupId: 'hg-1',
      identityInfo: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        secondaryEmail: 'ada2@example.com',
        mobile: '+14255550100',
      },
      phoneConfig: { phoneType: PhoneType.SOFT_PHONE },
      autoAcceptConfigs: [
        { channel: Channel.VOICE, autoAccept: true, agentFirstCallbackAutoAccept: false },
        { channel: Channel.CHAT, autoAccept: false },
      ],
      afterContactWorkConfigs: [
        {
          channel: Channel.VOICE,
          afterContactWorkConfig: { afterContactWorkTimeLimit: 30 },
          agentFirstCallbackAfterContactWorkConfig: { afterContactWorkTimeLimit: 10 },
        },
      ],
      persistentConnectionConfigs: [{ channel: Channel.VOICE, persistentConnection: true }],
      voiceEnhancementConfigs: [{ channel: Channel.VOICE, voiceEnhancementMode: VoiceEnhancementMode.NOISE_SUPPRESSION }],
      userProficiencies: [{ attributeName: 'languageSkill', attributeValue: 'english', level: 4 }],
      routingProfileId: 'rp-1',
      securityProfileIds: ['sp-1', 'sp-2'],
      tags: { team: 'support', 'cost-center': '42', camelKey: 'x' },
      adoptExistingUser: true,
    });
    const template = Template.fromStack(s);
    const [, user] = onlyResource(template, 'Custom::ConnectUser');
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    assert.deepEqual(user.Properties, {
      ServiceToken: { 'Fn::GetAtt': [fnId, 'Arn'] },
      ServiceTimeout: '3600',
      InstanceId: INSTANCE,
      Name: 'agent.one',
      PasswordSecretArn: { Ref: template.toJSON().Resources && Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0] },
      PasswordSecretKey: 'agentPassword',
      DirectoryUserId: 'dir-1',
      HierarchyGroupId: 'hg-1',
      IdentityInfo: {
        FirstName: 'Ada',
        LastName: 'Lovelace',
        Email: 'ada@example.com',
        SecondaryEmail: 'ada2@example.com',
        Mobile: '+14255550100',
      },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      AutoAcceptConfigs: [
        { Channel: 'VOICE', AutoAccept: true, AgentFirstCallbackAutoAccept: false },
        { Channel: 'CHAT', AutoAccept: false },
      ],
      AfterContactWorkConfigs: [
        {
          Channel: 'VOICE',
          AfterContactWorkConfig: { AfterContactWorkTimeLimit: 30 },
          AgentFirstCallbackAfterContactWorkConfig: { AfterContactWorkTimeLimit: 10 },
        },
      ],
      PersistentConnectionConfigs: [{ Channel: 'VOICE', PersistentConnection: true }],
      VoiceEnhancementConfigs: [{ Channel: 'VOICE', VoiceEnhancementMode: 'NOISE_SUPPRESSION' }],
      UserProficiencies: [{ AttributeName: 'languageSkill', AttributeValue: 'english', Level: 4 }],
      RoutingProfileId: 'rp-1',
      SecurityProfileIds: ['sp-1', 'sp-2'],
      Tags: { team: 'support', 'cost-center': '42', camelKey: 'x' },
      AdoptExistingUser: 'true',
    });
    // Every key is PascalCase, except inside Tags (keys are the user's) and the intrinsic
    // functions CloudFormation reads (Fn::GetAtt, Ref).
    const offenders = keysOf(user.Properties).filter(
      ({ path, key }) => path !== 'Tags' && !/^[A-Z]/.test(key) && !key.startsWith('Fn::'),
    );
    assert.deepEqual(offenders, []);
  });

  it('sends PhoneNumberConfigs, and nothing for props left out', () => {
    const s = stack();
    new ConnectUser(s, 'Desk', {
      ...basicProps(),
      phoneConfig: undefined,
      phoneNumberConfigs: [{ channel: Channel.VOICE, phoneType: PhoneType.DESK_PHONE, phoneNumber: '+14255550100' }],
    });
    const [, user] = onlyResource(Template.fromStack(s), 'Custom::ConnectUser');
    assert.deepEqual(Object.keys(user.Properties).sort(), [
      'InstanceId', 'Name', 'PhoneNumberConfigs', 'RoutingProfileId', 'SecurityProfileIds', 'ServiceTimeout', 'ServiceToken',
    ]);
    assert.deepEqual(user.Properties.PhoneNumberConfigs, [
      { Channel: 'VOICE', PhoneType: 'DESK_PHONE', PhoneNumber: '+14255550100' },
    ]);
  });

  it('sends profiles and the hierarchy group by name, with no ids', () => {
    const s = stack();
    const { routingProfileId, securityProfileIds, ...rest } = basicProps();
    assert.ok(routingProfileId && securityProfileIds);
    new ConnectUser(s, 'ByName', {
      ...rest,
      routingProfileName: 'Basic Routing Profile',
      securityProfileNames: ['Agent', 'CallCenterManager'],
      hierarchyGroupName: 'Tier 1',
    });
    const [, user] = onlyResource(Template.fromStack(s), 'Custom::ConnectUser');
    assert.deepEqual(Object.keys(user.Properties).sort(), [
      'HierarchyGroupName', 'InstanceId', 'Name', 'PhoneConfig', 'RoutingProfileName', 'SecurityProfileNames',
      'ServiceTimeout', 'ServiceToken',
    ]);
    assert.equal(user.Properties.RoutingProfileName, 'Basic Routing Profile');
    assert.deepEqual(user.Properties.SecurityProfileNames, ['Agent', 'CallCenterManager']);
    assert.equal(user.Properties.HierarchyGroupName, 'Tier 1');
  });

  it('mixes names and ids across the pairs, and sends an empty hierarchyGroupName (no group) as it is', () => {
    const s = stack();
    new ConnectUser(s, 'Mixed', {
      ...basicProps(),
      routingProfileId: undefined,
      routingProfileName: 'Basic Routing Profile',
      hierarchyGroupName: '',
    });
    new ConnectUser(s, 'Other', {
      ...basicProps(),
      name: 'agent.two',
      securityProfileIds: undefined,
      securityProfileNames: ['Agent'],
      hierarchyGroupId: 'hg-1',
    });
    const users = new Map(resources(Template.fromStack(s), 'Custom::ConnectUser').map(([, r]) => [r.Properties.Name, r.Properties]));
    const mixed = users.get('agent.one')!;
    assert.equal(mixed.RoutingProfileName, 'Basic Routing Profile');
    assert.deepEqual(mixed.SecurityProfileIds, ['sp-0']);
    assert.equal(mixed.HierarchyGroupName, '');
    assert.ok(!('RoutingProfileId' in mixed) && !('HierarchyGroupId' in mixed));
    const other = users.get('agent.two')!;
    assert.equal(other.RoutingProfileId, 'rp-1');
    assert.deepEqual(other.SecurityProfileNames, ['Agent']);
    assert.equal(other.HierarchyGroupId, 'hg-1');
    assert.ok(!('SecurityProfileIds' in other) && !('HierarchyGroupName' in other));
  });

  it('sends adoptExistingUser as CloudFormation sends a boolean, "true" or "false"', () => {
    const s = stack();
    new ConnectUser(s, 'Adopting', { ...basicProps(), adoptExistingUser: true });
    new ConnectUser(s, 'Owning', { ...basicProps(), name: 'agent.two', adoptExistingUser: false });
    new ConnectUser(s, 'Plain', { ...basicProps(), name: 'agent.three' });
    const users = new Map(resources(Template.fromStack(s), 'Custom::ConnectUser').map(([, r]) => [r.Properties.Name, r]));
    assert.equal(users.get('agent.one')!.Properties.AdoptExistingUser, 'true');
    assert.equal(users.get('agent.two')!.Properties.AdoptExistingUser, 'false');
    assert.ok(!('AdoptExistingUser' in users.get('agent.three')!.Properties));
  });

  it('passes serviceTimeout (an hour, CloudFormation\'s maximum, by default) and removalPolicy to the custom resource', () => {
    const s = stack();
    new ConnectUser(s, 'Kept', { ...basicProps(), serviceTimeout: Duration.minutes(15), removalPolicy: RemovalPolicy.RETAIN });
    new ConnectUser(s, 'Default', { ...basicProps(), name: 'agent.two' });
    const template = Template.fromStack(s);
    const users = new Map(resources(template, 'Custom::ConnectUser').map(([, r]) => [r.Properties.Name, r]));
    assert.equal(users.get('agent.one')!.Properties.ServiceTimeout, '900');
    assert.equal(users.get('agent.one')!.DeletionPolicy, 'Retain');
    assert.equal(users.get('agent.one')!.UpdateReplacePolicy, 'Retain');
    assert.equal(users.get('agent.two')!.Properties.ServiceTimeout, '3600');
    assert.equal(users.get('agent.two')!.DeletionPolicy, 'Delete');
  });

  it('wires userId, userArn and the physical id to GetAtt and Ref', () => {
    const s = stack();
    const user = new ConnectUser(s, 'Agent', basicProps());
    new CfnOutput(s, 'UserId', { value: user.userId });
    new CfnOutput(s, 'UserArn', { value: user.userArn });
    new CfnOutput(s, 'PhysicalId', { value: user.physicalId });
    const template = Template.fromStack(s);
    const [userId] = onlyResource(template, 'Custom::ConnectUser');
    template.hasOutput('UserId', { Value: { 'Fn::GetAtt': [userId, 'UserId'] } });
    template.hasOutput('UserArn', { Value: { 'Fn::GetAtt': [userId, 'Arn'] } });
    template.hasOutput('PhysicalId', { Value: { Ref: userId } });
  });
});

describe('ConnectUserFunction', () => {
  it('is arm64 provided.al2023 with JSON logs in its own log group and RESPONSE_MODE=put by default', () => {
    const s = stack();
    new ConnectUser(s, 'Agent', basicProps());
    const template = Template.fromStack(s);
    const [logGroupId] = onlyResource(template, 'AWS::Logs::LogGroup');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'provided.al2023',
      Architectures: ['arm64'],
      Handler: 'bootstrap',
      MemorySize: 128,
      Timeout: 900,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', LogGroup: { Ref: logGroupId } },
      Environment: { Variables: { RESPONSE_MODE: 'put' } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('retries an asynchronous invocation (a continuation) once, whatever the mode', () => {
    for (const responseMode of [ResponseMode.PUT, ResponseMode.RETURN]) {
      const s = new Stack();
      ConnectUserFunction.singleton(s, { code: standInCode(), responseMode });
      new ConnectUser(s, 'Agent', basicProps());
      const template = Template.fromStack(s);
      const fnId = resources(template, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Runtime === 'provided.al2023')![0];
      const [, config] = onlyResource(template, 'AWS::Lambda::EventInvokeConfig');
      assert.deepEqual(config.Properties, { FunctionName: { Ref: fnId }, Qualifier: '$LATEST', MaximumRetryAttempts: 1 }, responseMode);
    }
  });

  it('in put mode may invoke itself, its own unqualified ARN alone, before any user is sent', () => {
    const s = stack();
    new ConnectUser(s, 'A', basicProps());
    new ConnectUser(s, 'B', { ...basicProps(), name: 'agent.two' });
    const template = Template.fromStack(s);
    const [fnId, fn] = onlyResource(template, 'AWS::Lambda::Function');
    const lambdaStatements = [...statements(template).values()].filter((st) =>
      list(st.Action).some((a: string) => a.toLowerCase().startsWith('lambda:')),
    );
    assert.deepEqual(lambdaStatements, [
      { Sid: 'InvokeItself', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } },
    ]);
    // The users' service token is that same unqualified ARN.
    for (const [, user] of resources(template, 'Custom::ConnectUser')) {
      assert.deepEqual(user.Properties.ServiceToken, { 'Fn::GetAtt': [fnId, 'Arn'] });
    }
    // A policy of its own on the function's role: the function does not wait for it (no
    // circular dependency), every user does.
    const [policyId, policy] = resources(template, 'AWS::IAM::Policy').find(([, p]) =>
      p.Properties.PolicyDocument.Statement.some((st: Json) => st.Sid === 'InvokeItself'),
    )!;
    assert.equal(policy.Properties.PolicyDocument.Statement.length, 1);
    assert.deepEqual(policy.Properties.Roles, [{ Ref: fn.Properties.Role['Fn::GetAtt'][0] }]);
    assert.ok(!list(fn.DependsOn ?? []).includes(policyId), JSON.stringify(fn.DependsOn));
    for (const [, user] of resources(template, 'Custom::ConnectUser')) {
      assert.ok(list(user.DependsOn ?? []).includes(policyId), JSON.stringify(user.DependsOn));
    }
  });

  it('in return mode never invokes itself: no lambda: grant on its role', () => {
    const s = new Stack();
    const fn = ConnectUserFunction.singleton(s, { code: standInCode(), responseMode: ResponseMode.RETURN });
    new ConnectUser(s, 'Agent', basicProps());
    assert.equal(fn.invokeItselfPolicy, undefined);
    const template = Template.fromStack(s);
    const roleId = template.toJSON().Resources[logicalIdOf(s, fn)].Properties.Role['Fn::GetAtt'][0];
    for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
      if (!policy.Properties.Roles.some((r: Json) => r.Ref === roleId)) continue;
      for (const st of policy.Properties.PolicyDocument.Statement) {
        assert.ok(!list(st.Action).some((a: string) => a.startsWith('lambda:')), JSON.stringify(st));
      }
    }
  });

  it('takes its options: architecture, timeout, memory, log level, responseMode', () => {
    const s = new Stack();
    ConnectUserFunction.singleton(s, {
      code: standInCode(),
      architecture: lambda.Architecture.X86_64,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logLevel: lambda.ApplicationLogLevel.DEBUG,
      responseMode: ResponseMode.RETURN,
    });
    new ConnectUser(s, 'Agent', basicProps());
    const template = Template.fromStack(s);
    const [fnId, fn] = resources(template, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Runtime === 'provided.al2023')!;
    assert.deepEqual(fn.Properties.Architectures, ['x86_64']);
    assert.equal(fn.Properties.Timeout, 120);
    assert.equal(fn.Properties.MemorySize, 256);
    assert.equal(fn.Properties.LoggingConfig.ApplicationLogLevel, 'DEBUG');
    assert.deepEqual(fn.Properties.Environment, { Variables: { RESPONSE_MODE: 'return' } });
    // In return mode the Provider framework invokes the function: the user's service token is
    // the framework's function, which may invoke ours.
    const [, user] = onlyResource(template, 'Custom::ConnectUser');
    const token = user.Properties.ServiceToken['Fn::GetAtt'];
    assert.ok(Array.isArray(token) && token[1] === 'Arn' && token[0] !== fnId, JSON.stringify(token));
    const framework = template.toJSON().Resources[token[0]];
    assert.equal(framework.Type, 'AWS::Lambda::Function');
    assert.deepEqual(framework.Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN, { 'Fn::GetAtt': [fnId, 'Arn'] });
  });

  it('sends defaultTags as DEFAULT_TAGS, a JSON object, and sets no DEFAULT_TAGS without them', () => {
    const s = new Stack();
    const defaults = { CostCenter: '1234', 'business-unit': 'sales', 'a b': 'x:y/z' };
    ConnectUserFunction.singleton(s, { code: standInCode(), defaultTags: defaults });
    new ConnectUser(s, 'Agent', basicProps());
    const [, fn] = onlyResource(Template.fromStack(s), 'AWS::Lambda::Function');
    assert.equal(fn.Properties.Environment.Variables.RESPONSE_MODE, 'put');
    assert.deepEqual(JSON.parse(fn.Properties.Environment.Variables.DEFAULT_TAGS), defaults);

    const plain = stack();
    new ConnectUser(plain, 'Agent', basicProps());
    const [, plainFn] = onlyResource(Template.fromStack(plain), 'AWS::Lambda::Function');
    assert.deepEqual(Object.keys(plainFn.Properties.Environment.Variables), ['RESPONSE_MODE']);
  });

  it('renders defaultTags holding a token as JSON that CloudFormation completes', () => {
    const s = new Stack();
    const unit = new CfnParameter(s, 'Unit');
    ConnectUserFunction.singleton(s, { code: standInCode(), defaultTags: { CostCenter: '1234', Unit: unit.valueAsString } });
    new ConnectUser(s, 'Agent', basicProps());
    const [, fn] = onlyResource(Template.fromStack(s), 'AWS::Lambda::Function');
    const rendered = JSON.stringify(fn.Properties.Environment.Variables.DEFAULT_TAGS);
    assert.match(rendered, /Fn::Join/);
    assert.match(rendered, /\{\"Ref\":\"Unit\"\}/);
    assert.match(rendered, /CostCenter/);
  });

  it('refuses defaultTags the function would refuse, naming every tag at fault', () => {
    const bad = {
      'aws:owner': 'x',
      'AWS:Owner': 'x',
      'connect-user-resource:created-by-request': 'x',
      'a*b': 'x',
      ['k'.repeat(129)]: 'x',
      long: 'v'.repeat(257),
      number: 42 as unknown as string,
      fine: 'v'.repeat(256),
    };
    assert.throws(
      () => new ConnectUserFunction(new Stack(), 'F', { code: standInCode(), defaultTags: bad }),
      (error: Error) => {
        assert.match(error.message, /^F: invalid ConnectUserFunction props: /);
        assert.match(error.message, /defaultTags\.aws:owner key may not start with aws:/);
        assert.match(error.message, /defaultTags\.AWS:Owner key may not start with aws:/);
        assert.match(error.message, /defaultTags\.connect-user-resource:created-by-request key connect-user-resource:created-by-request is reserved/);
        assert.match(error.message, /defaultTags\.a\*b key may contain only letters/);
        assert.match(error.message, new RegExp(`defaultTags\\.${'k'.repeat(64)} key must be 1 to 128 characters`));
        assert.match(error.message, /defaultTags\.long value must be at most 256 characters/);
        assert.match(error.message, /defaultTags\.number value must be a string/);
        assert.doesNotMatch(error.message, /defaultTags\.fine/);
        return true;
      },
    );
    assert.throws(
      () => new ConnectUserFunction(new Stack(), 'F', { code: standInCode(), defaultTags: 'CostCenter=1' as unknown as {} }),
      /defaultTags must be a map of tag key to value/,
    );
  });

  it('refuses defaultTags that would not fit in the function\'s 4 KB of environment variables', () => {
    const defaults = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key-${i}`, 'v'.repeat(200)]));
    assert.throws(
      () => new ConnectUserFunction(new Stack(), 'F', { code: standInCode(), defaultTags: defaults }),
      /defaultTags makes the function's environment \d+ bytes, over Lambda's 4 KB/,
    );
    // Many short defaults are fine: there is no limit on how many.
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v']));
    new ConnectUserFunction(new Stack(), 'F', { code: standInCode(), defaultTags: many });
  });

  it('warns at synth which defaults a user with many tags leaves off', () => {
    const s = new Stack();
    // 48 tags of its own, one of them also a default: room for one default, the first in key order.
    const own = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`own-${i}`, 'x']));
    ConnectUserFunction.singleton(s, { code: standInCode(), defaultTags: { Zeta: '1', Alpha: '1', beta: '1', shared: 'd' } });
    new ConnectUser(s, 'Crowded', { ...basicProps(), tags: { ...own, shared: 'mine' } });
    new ConnectUser(s, 'Roomy', { ...basicProps(), name: 'agent.two', tags: { team: 'a' } });
    const annotations = Annotations.fromStack(s);
    // Byte order: upper case before lower case.
    annotations.hasWarning('/Default/Crowded', Match.stringLikeRegexp('leaves off the defaults Zeta, beta \\(its own tags win\\)'));
    assert.equal(annotations.findWarning('/Default/Roomy', Match.anyValue()).length, 0);
  });

  it('refuses a responseMode other than put or return', () => {
    assert.throws(
      () => new ConnectUserFunction(new Stack(), 'F', { code: standInCode(), responseMode: 'PUT' as ResponseMode }),
      /responseMode must be 'put' or 'return'/,
    );
  });

  it('is one per stack: every user shares it, and its role accumulates their instances and secrets', () => {
    const s = stack();
    const other = 'ffffffff-0000-1111-2222-333333333333';
    const first = new secretsmanager.Secret(s, 'First');
    const second = new secretsmanager.Secret(s, 'Second');
    const a = new ConnectUser(s, 'A', { ...basicProps(), passwordSecret: first });
    const b = new ConnectUser(s, 'B', { ...basicProps(), name: 'agent.two', passwordSecret: second });
    // A literal instance ARN is reduced to its id, as the function does.
    const c = new ConnectUser(s, 'C', {
      ...basicProps(),
      name: 'agent.three',
      instanceId: `arn:aws:connect:eu-west-1:111122223333:instance/${other}`,
      passwordSecret: first,
    });
    assert.equal(a.function, b.function);
    assert.equal(a.function, c.function);
    const template = Template.fromStack(s);
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    for (const [, user] of resources(template, 'Custom::ConnectUser')) {
      assert.deepEqual(user.Properties.ServiceToken, { 'Fn::GetAtt': [fnId, 'Arn'] });
    }
    const permissions = permissionsJson();
    const found = statements(template);
    // Exactly permissions.json's statements and actions, invoking itself and writing its own
    // logs (test/package.test.ts), no other.
    assert.deepEqual(
      [...found.keys()].sort(),
      [...permissions.statements.map((st) => st.sid), 'InvokeItself', 'WriteOwnLogs'].sort(),
    );
    const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret')).sort();
    for (const expected of permissions.statements) {
      const statement = found.get(expected.sid)!;
      assert.deepEqual(list(statement.Action), expected.actions, expected.sid);
      assert.equal(statement.Effect, 'Allow');
      assert.equal(statement.Condition, undefined);
      const granted = list(statement.Resource);
      const wanted = expected.resources.flatMap((name): Json[] =>
        name === 'password-secret'
          ? secretIds.map((id) => ({ Ref: id }))
          : [INSTANCE, other].map((instance) => ({
              'Fn::Sub': [permissions.resources[name].arn, { InstanceId: instance }],
            })),
      );
      assert.deepEqual(
        granted.map((r) => JSON.stringify(r)).sort(),
        wanted.map((r) => JSON.stringify(r)).sort(),
        expected.sid,
      );
    }
    // The secret grant is GetSecretValue alone: no DescribeSecret (grantRead's), no KMS.
    const actions = [...found.values()].flatMap((st) => list(st.Action));
    assert.deepEqual(actions.filter((action) => action.startsWith('secretsmanager:')), ['secretsmanager:GetSecretValue']);
    assert.ok(!actions.some((action) => action.startsWith('kms:')));
  });

  it('grants nothing on secrets when no user names one', () => {
    const s = stack();
    new ConnectUser(s, 'Agent', basicProps());
    const found = statements(Template.fromStack(s));
    assert.ok(found.has('ManageUsers'));
    assert.ok(![...found.values()].some((st) => list(st.Action).some((a: string) => a.startsWith('secretsmanager:'))));
  });

  it('adds kms:Decrypt through Secrets Manager for a secret with a customer-managed key', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key');
    new ConnectUser(s, 'Agent', { ...basicProps(), passwordSecret: new secretsmanager.Secret(s, 'Pw', { encryptionKey: key }) });
    const template = Template.fromStack(s);
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    const decrypt = [...statements(template).values()].filter((st) => list(st.Action).includes('kms:Decrypt'));
    assert.equal(decrypt.length, 1);
    assert.deepEqual(decrypt[0].Action, 'kms:Decrypt');
    assert.deepEqual(decrypt[0].Resource, { 'Fn::GetAtt': [keyId, 'Arn'] });
    assert.deepEqual(decrypt[0].Condition, {
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
    });
  });

  it('grants a secret imported by name with the suffix wildcard', () => {
    const s = stack();
    new ConnectUser(s, 'Agent', {
      ...basicProps(),
      passwordSecret: secretsmanager.Secret.fromSecretNameV2(s, 'Imported', 'agents/password'),
    });
    const read = statements(Template.fromStack(s)).get('ReadAgentPassword')!;
    assert.match(JSON.stringify(read.Resource), /secret:agents\/password-\?\?\?\?\?\?/);
  });

  it('uses the function it is given instead of the singleton', () => {
    const s = new Stack();
    const fn = new ConnectUserFunction(s, 'Mine', { code: standInCode() });
    const user = new ConnectUser(s, 'Agent', { ...basicProps(), function: fn });
    assert.equal(user.function, fn);
    const template = Template.fromStack(s);
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    assert.match(fnId, /^Mine/);
    assert.ok(statements(template).has('ManageUsers'));
  });

  it('refuses functionProps it could not apply', () => {
    const s = new Stack();
    new ConnectUser(s, 'First', { ...basicProps(), functionProps: { code: standInCode() } });
    assert.throws(
      () => new ConnectUser(s, 'Second', { ...basicProps(), functionProps: { code: standInCode(), memorySize: 512 } }),
      /Second: functionProps apply when the stack's ConnectUserFunction is created/,
    );
    const fn = new ConnectUserFunction(s, 'Other', { code: standInCode() });
    assert.throws(
      () => new ConnectUser(s, 'Third', { ...basicProps(), function: fn, functionProps: { memorySize: 512 } }),
      /Third: give function or functionProps, not both/,
    );
  });

  it('gives each stack its own function', () => {
    const a = stack('A');
    const b = stack('B');
    const userA = new ConnectUser(a, 'Agent', basicProps());
    const userB = new ConnectUser(b, 'Agent', basicProps());
    assert.notEqual(userA.function, userB.function);
    onlyResource(Template.fromStack(a), 'AWS::Lambda::Function');
    onlyResource(Template.fromStack(b), 'AWS::Lambda::Function');
  });

  it('says at synth that an imported function has no role to extend', () => {
    const s = new Stack();
    const imported = lambda.Function.fromFunctionArn(s, 'Imported', 'arn:aws:lambda:eu-west-1:111122223333:function:connect-user');
    new ConnectUser(s, 'Agent', { ...basicProps(), function: imported });
    const template = Template.fromStack(s);
    assert.equal(resources(template, 'AWS::Lambda::Function').length, 0);
    assert.equal(resources(template, 'AWS::IAM::Policy').length, 0);
    template.hasResourceProperties('Custom::ConnectUser', {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:connect-user',
    });
    Annotations.fromStack(s).hasWarning('/Default/Agent', Match.stringLikeRegexp('its role cannot be extended'));
  });
});

describe('synth-time validation', () => {
  it('names the prop of each problem, every problem at once', () => {
    const s = stack();
    assert.throws(
      () =>
        new ConnectUser(s, 'Bad', {
          ...basicProps(),
          name: 'agent one',
          securityProfileIds: Array.from({ length: 11 }, (_, i) => `sp-${i}`),
          phoneConfig: { phoneType: PhoneType.DESK_PHONE },
        }),
      (error: Error) => {
        assert.match(error.message, /Bad: invalid ConnectUser props/);
        assert.match(error.message, /name may contain only letters, digits and _ \. @ -/);
        assert.match(error.message, /securityProfileIds must hold 1 to 10 security profiles \(it holds 11\)/);
        assert.match(error.message, /phoneConfig\.deskPhoneNumber is required when phoneConfig\.phoneType is DESK_PHONE/);
        return true;
      },
    );
  });

  it('names the entry of a per-channel desk phone without a number', () => {
    assert.throws(
      () =>
        new ConnectUser(stack(), 'Bad', {
          ...basicProps(),
          phoneConfig: undefined,
          phoneNumberConfigs: [{ channel: Channel.VOICE, phoneType: PhoneType.DESK_PHONE }],
        }),
      /phoneNumberConfigs\[0\]\.phoneNumber is required when phoneNumberConfigs\[0\]\.phoneType is DESK_PHONE/,
    );
  });

  it('names every tag at fault, and more than 49 tags', () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'x']));
    assert.throws(
      () => new ConnectUser(stack(), 'Bad', { ...basicProps(), tags: { ...tags, 'aws:x': 'y', 'connect-user-resource:created-by-request': 'z' } }),
      (error: Error) => {
        assert.match(error.message, /tags\.aws:x key may not start with aws:/);
        assert.match(error.message, /tags\.connect-user-resource:created-by-request key connect-user-resource:created-by-request is reserved by this resource/);
        assert.match(error.message, /tags may hold at most 49 tags \(it holds 52\)/);
        return true;
      },
    );
  });

  it('refuses an adoptExistingUser that is not true or false', () => {
    assert.throws(
      () => new ConnectUser(stack(), 'Bad', { ...basicProps(), adoptExistingUser: 'yes' as unknown as boolean }),
      /adoptExistingUser must be "true" or "false"/,
    );
  });

  it('refuses both of an id-or-name pair, naming both, and neither of a required pair, all at once', () => {
    assert.throws(
      () =>
        new ConnectUser(stack(), 'Both', {
          ...basicProps(),
          routingProfileName: 'Basic Routing Profile',
          securityProfileNames: ['Agent'],
          hierarchyGroupId: '',
          hierarchyGroupName: '',
        }),
      (error: Error) => {
        assert.match(error.message, /Both: invalid ConnectUser props/);
        for (const [name, id] of [
          ['hierarchyGroupName', 'hierarchyGroupId'],
          ['routingProfileName', 'routingProfileId'],
          ['securityProfileNames', 'securityProfileIds'],
        ]) {
          assert.ok(
            error.message.includes(`${name} and ${id} are both given: they are alternatives, give one of them`),
            `${name}: ${error.message}`,
          );
        }
        return true;
      },
    );
    assert.throws(
      () =>
        new ConnectUser(stack(), 'Neither', {
          ...basicProps(),
          routingProfileId: undefined,
          securityProfileIds: undefined,
        }),
      (error: Error) => {
        assert.ok(error.message.includes('routingProfileId is required (or routingProfileName, its alternative)'), error.message);
        assert.ok(error.message.includes('securityProfileIds is required (or securityProfileNames, its alternative)'), error.message);
        return true;
      },
    );
  });

  it('refuses a routing profile name over 127 characters and security profile names the function would refuse', () => {
    assert.throws(
      () =>
        new ConnectUser(stack(), 'Long', {
          ...basicProps(),
          routingProfileId: undefined,
          routingProfileName: 'r'.repeat(128),
          securityProfileIds: undefined,
          securityProfileNames: ['Agent', 'Admin', 'Agent', ''],
        }),
      (error: Error) => {
        assert.ok(error.message.includes('routingProfileName must be at most 127 characters (it is 128)'), error.message);
        assert.ok(error.message.includes('securityProfileNames[2] repeats the name "Agent"'), error.message);
        assert.ok(error.message.includes('securityProfileNames[3] must be a security profile name'), error.message);
        return true;
      },
    );
    for (const count of [0, 11]) {
      const names = Array.from({ length: count }, (_, i) => `Profile ${i}`);
      assert.throws(
        () => new ConnectUser(stack(), 'Count', { ...basicProps(), securityProfileIds: undefined, securityProfileNames: names }),
        new RegExp(`securityProfileNames must hold 1 to 10 security profiles \\(it holds ${count}\\)`),
      );
    }
  });

  it('holds a name to 20 characters and @ in an email format only with a password', () => {
    const samlName = '005Hs00000AbCdEIAZ@00DHs0000012345';
    // Without a password (SAML, directory): Connect decides.
    new ConnectUser(stack(), 'Saml', { ...basicProps(), name: samlName });
    const withPassword = (name: string) => {
      const s = stack();
      return new ConnectUser(s, 'Managed', { ...basicProps(), name, passwordSecret: new secretsmanager.Secret(s, 'Password') });
    };
    withPassword('agent@example.com');
    withPassword('a'.repeat(20));
    assert.throws(
      () => withPassword(samlName),
      (error: Error) => {
        assert.ok(error.message.includes('name must be at most 20 characters with a passwordSecret (it is 34)'), error.message);
        assert.ok(error.message.includes('name may contain @ only in an email format such as agent@example.com'), error.message);
        return true;
      },
    );
    assert.throws(() => withPassword('agent@example'), /name may contain @ only in an email format/);
  });

  it('never judges whether a pair with a token is given twice', () => {
    const s = stack();
    const routingProfile = new CfnParameter(s, 'RoutingProfileName');
    const names = new CfnParameter(s, 'SecurityProfileNames', { type: 'CommaDelimitedList' });
    const hasGroup = new CfnParameter(s, 'HierarchyGroupId');
    // A token may resolve to no value at all (AWS::NoValue), which leaves its property out.
    const hasGroupId = new CfnCondition(s, 'HasGroupId', { expression: Fn.conditionNot(Fn.conditionEquals(hasGroup, '')) });
    const groupId = Fn.conditionIf(hasGroupId.logicalId, hasGroup.valueAsString, Aws.NO_VALUE).toString();
    new ConnectUser(s, 'Agent', {
      ...basicProps(),
      routingProfileName: routingProfile.valueAsString,
      securityProfileNames: names.valueAsList,
      hierarchyGroupId: groupId,
      hierarchyGroupName: 'Tier 1',
    });
    Template.fromStack(s).hasResourceProperties('Custom::ConnectUser', {
      RoutingProfileId: 'rp-1',
      RoutingProfileName: { Ref: 'RoutingProfileName' },
      SecurityProfileNames: { Ref: 'SecurityProfileNames' },
      HierarchyGroupName: 'Tier 1',
    });
  });

  it('never judges a value known only at deploy time', () => {
    const s = stack();
    const name = new CfnParameter(s, 'Name');
    const profiles = new CfnParameter(s, 'Profiles', { type: 'CommaDelimitedList' });
    const number = new CfnParameter(s, 'Number');
    new ConnectUser(s, 'Agent', {
      ...basicProps(),
      name: name.valueAsString,
      securityProfileIds: profiles.valueAsList,
      phoneConfig: { phoneType: PhoneType.DESK_PHONE, deskPhoneNumber: number.valueAsString },
      tags: { team: name.valueAsString },
    });
    Template.fromStack(s).hasResourceProperties('Custom::ConnectUser', {
      Name: { Ref: 'Name' },
      SecurityProfileIds: { Ref: 'Profiles' },
      PhoneConfig: { PhoneType: 'DESK_PHONE', DeskPhoneNumber: { Ref: 'Number' } },
      Tags: { team: { Ref: 'Name' } },
    });
  });
});
