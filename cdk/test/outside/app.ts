// A CDK app of a user's own, outside the repository: it installs only the package's tarball,
// aws-cdk-lib and constructs (run.sh). The five examples of Terraform's aws_connect_user, as
// template.yaml declares them, and one user behind the CDK Provider framework; app.py declares
// the same in Python, and compare.py holds the two templates equal.
import * as assert from 'node:assert/strict';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ConnectUser, ConnectUserFunction, ConnectUserProps, PhoneType, ResponseMode } from 'connect-user-resource-cdk';

const zip = process.env.FUNCTION_ZIP;
if (!zip) throw new Error('FUNCTION_ZIP: the built function zip');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'ConnectUsersOutside');

// Outside the repository there is no default code: the error says to pass `code`.
assert.throws(
  () => new ConnectUserFunction(new cdk.Stack(new cdk.App(), 'NoCode'), 'Function'),
  /Outside the connect-user-resource repository, pass `code`/,
);

const code = lambda.Code.fromAsset(zip);
ConnectUserFunction.singleton(stack, { code, architecture: lambda.Architecture.X86_64 });
const instanceId = new cdk.CfnParameter(stack, 'InstanceId', { allowedPattern: '[a-zA-Z0-9-]{1,100}' }).valueAsString;
const routingProfileId = new cdk.CfnParameter(stack, 'RoutingProfileId').valueAsString;
const agentProfileId = new cdk.CfnParameter(stack, 'AgentSecurityProfileId').valueAsString;
const supervisorProfileId = new cdk.CfnParameter(stack, 'SupervisorSecurityProfileId').valueAsString;
const password = new secretsmanager.Secret(stack, 'AgentPassword', {
  generateSecretString: {
    secretStringTemplate: JSON.stringify({ username: 'example' }),
    generateStringKey: 'password',
    passwordLength: 24,
    requireEachIncludedType: true,
    excludeCharacters: '"\'\\ /@',
  },
});

function agent(name: string, more: Partial<ConnectUserProps>): ConnectUserProps {
  return {
    instanceId,
    name,
    passwordSecret: password,
    identityInfo: { firstName: 'example', lastName: 'example2', email: `${name}@example.com` },
    routingProfileName: 'Basic Routing Profile',
    securityProfileNames: ['Agent'],
    phoneConfig: { afterContactWorkTimeLimit: 0, phoneType: PhoneType.SOFT_PHONE },
    ...more,
  };
}

new ConnectUser(stack, 'Basic', agent('example', { tags: { team: 'support' } }));
new ConnectUser(stack, 'Hierarchy', agent('example-hierarchy', { hierarchyGroupName: 'East' }));
new ConnectUser(stack, 'Identity', agent('example-identity', {
  identityInfo: { firstName: 'example', lastName: 'example2', email: 'example@example.com', mobile: '+14255550100' },
}));
new ConnectUser(stack, 'SoftPhone', agent('example-softphone', {
  phoneConfig: { afterContactWorkTimeLimit: 0, autoAccept: true, phoneType: PhoneType.SOFT_PHONE },
}));
new ConnectUser(stack, 'DeskPhone', agent('example-deskphone', {
  routingProfileName: undefined,
  securityProfileNames: undefined,
  routingProfileId,
  securityProfileIds: [agentProfileId, supervisorProfileId],
  phoneConfig: { afterContactWorkTimeLimit: 0, phoneType: PhoneType.DESK_PHONE, deskPhoneNumber: '+12065550100' },
}));

// Behind the Provider framework: a function in RETURN mode, whose answers the framework PUTs.
const viaProvider = new ConnectUserFunction(stack, 'ProviderFunction', {
  code,
  architecture: lambda.Architecture.X86_64,
  responseMode: ResponseMode.RETURN,
});
new ConnectUser(stack, 'Supervisor', agent('supervisor', {
  securityProfileNames: ['Agent', 'CallCenterManager'],
  function: viaProvider,
  serviceTimeout: cdk.Duration.minutes(15),
}));

cdk.Tags.of(stack).add('CostCenter', '1234');
app.synth();
