// A small CDK app: one Amazon Connect user (the "basic" example of Terraform's aws_connect_user),
// declared with the construct library in ../../cdk (connect-user-resource-cdk). The library
// creates the function once per stack, with the least-privilege role that
// src/connect_user/permissions.json states, scoped to this user's instance and password secret:
// no policy is written here.
//
//   make build                     # builds target/lambda-arm64/connect-user-resource/bootstrap.zip
//   npm ci                         # here or at the root (npm workspaces); builds ../../cdk too
//   npx aws-cdk deploy --parameters InstanceId=... --parameters RoutingProfileId=... ...
//
// The function code is the cargo-lambda arm64 build output (the library's default), or the
// directory or zip in the context value `codeDir`, so `cdk synth` works offline once the
// function is built (`make cdk-synth` passes the debug build).
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { ConnectUser, PhoneType } = require('connect-user-resource-cdk');

class ConnectUsersStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);

    const instanceId = new cdk.CfnParameter(this, 'InstanceId', {
      description: 'The Amazon Connect instance id',
      allowedPattern: '[a-zA-Z0-9-]{1,100}',
    });
    const routingProfileId = new cdk.CfnParameter(this, 'RoutingProfileId');
    const securityProfileId = new cdk.CfnParameter(this, 'AgentSecurityProfileId');
    // The initial password lives in Secrets Manager, never in the template: CloudFormation
    // does not resolve secret references in custom resource properties, so the function reads
    // the secret itself (PasswordSecretArn); the library grants it that one secret.
    const agentPassword = new secretsmanager.Secret(this, 'AgentPassword', {
      description: 'Initial password of the example Amazon Connect agent',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'example' }),
        generateStringKey: 'password',
        passwordLength: 24,
        requireEachIncludedType: true,
        excludeCharacters: '"\'\\ /@',
      },
    });

    const codeDir = this.node.tryGetContext('codeDir');
    const agent = new ConnectUser(this, 'Agent', {
      instanceId: instanceId.valueAsString,
      name: 'example',
      identityInfo: { firstName: 'example', lastName: 'example2', email: 'example@example.com' },
      passwordSecret: agentPassword,
      routingProfileId: routingProfileId.valueAsString,
      securityProfileIds: [securityProfileId.valueAsString],
      phoneConfig: { afterContactWorkTimeLimit: 0, phoneType: PhoneType.SOFT_PHONE },
      tags: { team: 'support' },
      serviceTimeout: cdk.Duration.minutes(15),
      functionProps: codeDir ? { code: lambda.Code.fromAsset(codeDir) } : undefined,
    });

    new cdk.CfnOutput(this, 'AgentPhysicalId', { value: agent.physicalId });
    new cdk.CfnOutput(this, 'AgentArn', { value: agent.userArn });
    new cdk.CfnOutput(this, 'AgentUserId', { value: agent.userId });
  }
}

const app = new cdk.App();
new ConnectUsersStack(app, 'ConnectUsers');
app.synth();
