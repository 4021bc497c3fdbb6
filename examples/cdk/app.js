// A small CDK app: Amazon Connect users declared with the construct library in ../../cdk
// (connect-user-resource-cdk): the "basic" example of Terraform's aws_connect_user, served by
// the stack's function (put mode), and a supervisor behind the CDK Provider framework (return
// mode). The library creates each function with the least-privilege role that
// src/connect_user/permissions.json states, scoped to its users' instance and password secret:
// no policy is written here. cdk/test/nag.test.ts runs cdk-nag's AwsSolutions pack on it.
//
//   make build                     # builds target/lambda-arm64/connect-user-resource/bootstrap.zip
//   npm ci                         # here or at the root (npm workspaces); builds ../../cdk too
//   npx aws-cdk deploy --parameters InstanceId=... --parameters RoutingProfileId=... ...
//
// The function code is the cargo-lambda arm64 build output (the library's default inside the
// repository), or the directory or zip in the context value `codeDir`, so `cdk synth` works
// offline once the function is built (`make cdk-synth` passes the debug build).
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { ConnectUser, ConnectUserFunction, PhoneType, ResponseMode } = require('connect-user-resource-cdk');

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

    // The secret is the app's own: the app acknowledges cdk-nag's finding on it (the library
    // acknowledges only what is its own, on its own resources).
    cdk.Validations.of(agentPassword).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: "An agent's initial password: Connect does not read it again after CreateUser, so there is nothing to rotate",
    });

    const codeDir = this.node.tryGetContext('codeDir');
    const code = codeDir ? lambda.Code.fromAsset(codeDir) : undefined;
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
      functionProps: code ? { code } : undefined,
    });

    // A second function, behind the CDK Provider framework (ResponseMode.RETURN: the framework
    // PUTs the answer), and a supervisor served by it.
    const viaProvider = new ConnectUserFunction(this, 'ProviderFunction', { code, responseMode: ResponseMode.RETURN });
    const supervisor = new ConnectUser(this, 'Supervisor', {
      instanceId: instanceId.valueAsString,
      name: 'supervisor',
      identityInfo: { firstName: 'example', lastName: 'supervisor' },
      passwordSecret: agentPassword,
      routingProfileId: routingProfileId.valueAsString,
      securityProfileIds: [securityProfileId.valueAsString],
      phoneConfig: { afterContactWorkTimeLimit: 0, phoneType: PhoneType.SOFT_PHONE },
      serviceTimeout: cdk.Duration.minutes(15),
      function: viaProvider,
    });

    new cdk.CfnOutput(this, 'AgentPhysicalId', { value: agent.physicalId });
    new cdk.CfnOutput(this, 'AgentArn', { value: agent.userArn });
    new cdk.CfnOutput(this, 'AgentUserId', { value: agent.userId });
    new cdk.CfnOutput(this, 'SupervisorUserId', { value: supervisor.userId });
  }
}

module.exports = { ConnectUsersStack };

// `node app.js` (cdk.json) synthesizes; cdk/test/nag.test.ts loads the stack to run cdk-nag on it.
if (require.main === module) {
  const app = new cdk.App();
  new ConnectUsersStack(app, 'ConnectUsers');
  app.synth();
}
