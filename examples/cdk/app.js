// A small CDK app: the connect-user-resource function, and one Custom::ConnectUser (the
// "basic" example of Terraform's aws_connect_user) declared with a plain CustomResource.
//
//   make build                     # builds target/lambda-arm64/connect-user-resource/bootstrap.zip
//   npx aws-cdk deploy --parameters InstanceId=... --parameters RoutingProfileId=... ...
//
// The function code comes from the context value `codeDir`, a directory or zip (default: the
// cargo-lambda arm64 build output), so `cdk synth` works offline once the function is built.
const path = require('path');
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const lambda = require('aws-cdk-lib/aws-lambda');
const logs = require('aws-cdk-lib/aws-logs');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
// The function's IAM: every action it may call, with the resources it is granted on.
const permissions = require('../../src/connect_user/permissions.json');

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
    // the secret itself (PasswordSecretArn).
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

    const codeDir = this.node.tryGetContext('codeDir')
      ?? path.join(__dirname, '..', '..', 'target', 'lambda-arm64', 'connect-user-resource', 'bootstrap.zip');

    // Least privilege, exactly src/connect_user/permissions.json, the one source of truth for
    // the function's IAM: one statement per set of resources, so that no action is granted a
    // resource type it never authorizes against (Service Authorization Reference, Amazon
    // Connect). `make iam-check` checks the synthesized template against that file, and both
    // against the reference. The Connect resources are its ARN patterns in this instance; the
    // secret is the one agentPassword (GetSecretValue only: grantRead would add DescribeSecret).
    const resourceArn = (name) => {
      if (name === 'password-secret') return agentPassword.secretArn;
      const resource = permissions.resources[name];
      if (!resource) throw new Error(`permissions.json: unknown resource ${name}`);
      return cdk.Fn.sub(resource.arn, { InstanceId: instanceId.valueAsString });
    };
    const connectUsers = new iam.PolicyDocument({
      statements: permissions.statements.map((statement) => new iam.PolicyStatement({
        sid: statement.sid,
        actions: statement.actions,
        resources: statement.resources.map(resourceArn),
      })),
    });
    const role = new iam.Role(this, 'ConnectUserFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      inlinePolicies: { ConnectUsers: connectUsers },
    });

    const fn = new lambda.Function(this, 'ConnectUserFunction', {
      description: 'Custom::ConnectUser: creates, updates and deletes Amazon Connect users',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.ARM_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(codeDir),
      role,
      memorySize: 128,
      // Connect's shared 2 requests/second throttle can queue a large stack for minutes.
      timeout: cdk.Duration.minutes(5),
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(this, 'ConnectUserFunctionLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: cdk.RemovalPolicy.DESTROY,
      }),
    });

    const agent = new cdk.CustomResource(this, 'Agent', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::ConnectUser',
      serviceTimeout: cdk.Duration.minutes(15),
      properties: {
        InstanceId: instanceId.valueAsString,
        Name: 'example',
        IdentityInfo: { FirstName: 'example', LastName: 'example2', Email: 'example@example.com' },
        PasswordSecretArn: agentPassword.secretArn,
        RoutingProfileId: routingProfileId.valueAsString,
        SecurityProfileIds: [securityProfileId.valueAsString],
        PhoneConfig: { AfterContactWorkTimeLimit: 0, PhoneType: 'SOFT_PHONE' },
        Tags: { team: 'support' },
      },
    });

    new cdk.CfnOutput(this, 'AgentPhysicalId', { value: agent.ref });
    new cdk.CfnOutput(this, 'AgentArn', { value: agent.getAttString('Arn') });
    new cdk.CfnOutput(this, 'AgentUserId', { value: agent.getAttString('UserId') });
  }
}

const app = new cdk.App();
new ConnectUsersStack(app, 'ConnectUsers');
app.synth();
