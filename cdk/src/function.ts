import * as fs from 'fs';
import * as path from 'path';
import { Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { loadPermissions, PASSWORD_SECRET, Permissions } from './permissions';
import { PropProblem, tagProblems } from './validation';

/**
 * How the function answers CloudFormation: the function's `RESPONSE_MODE` environment variable
 * (issue 14, section 1).
 */
export enum ResponseMode {
  /**
   * CloudFormation invokes the function directly (the service token is the function's ARN)
   * and the function PUTs its answer to the event's ResponseURL.
   */
  PUT = 'put',
  /**
   * The CDK Provider framework (`custom-resources.Provider`) invokes the function and PUTs the
   * answer built from its return value; the function never PUTs. `ConnectUser` then uses a
   * Provider around the function as its service token.
   */
  RETURN = 'return',
}

/** Options of the connect-user-resource function. */
export interface ConnectUserFunctionProps {
  /**
   * The function's code: a directory or zip holding the `bootstrap` executable, such as a
   * release's zip (`lambda.Code.fromAsset('connect-user-resource-<version>-arm64.zip')`).
   * Required outside the connect-user-resource repository.
   *
   * @default inside the repository, the `bootstrap.zip` that `make build` writes for the
   * architecture: `target/lambda-arm64/connect-user-resource/bootstrap.zip` (or `lambda-x86_64`)
   */
  readonly code?: lambda.Code;
  /**
   * The instruction set the code is built for.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * How long one invocation may run. Connect's shared throttle (2 requests/second, burst 5)
   * queues a large stack: 500 users take 250 s to create, 500 s to update or delete, about
   * 2,000 s to adopt (docs/performance.md, "Capacity"). In `PUT` mode work that outlasts an
   * invocation goes on in the next one (at most 5 a request); in `RETURN` mode all of an
   * event's work must fit this one. The function answers before its own deadline whatever
   * happens.
   *
   * @default Duration.minutes(15) (Lambda's maximum)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MiB.
   *
   * @default 128
   */
  readonly memorySize?: number;
  /**
   * The log level (Lambda's advanced logging controls; the function reads it from
   * `AWS_LAMBDA_LOG_LEVEL`). The function never logs a secret at any level.
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;
  /**
   * How long the function's log group keeps its logs, and in `RETURN` mode the Provider
   * framework's log group too.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Who invokes the function: CloudFormation directly (`PUT`) or the CDK Provider framework
   * (`RETURN`). Sets the `RESPONSE_MODE` environment variable.
   *
   * @default ResponseMode.PUT
   */
  readonly responseMode?: ResponseMode;
  /**
   * Tags every user the function serves gets beneath its own `tags` (a user's own tag wins on a
   * key), like the Terraform AWS provider's `default_tags`. Sent as the `DEFAULT_TAGS`
   * environment variable, a JSON object. Each key and value follows the rules of `tags`,
   * checked at synth. A user whose own tags and these exceed the 49 a user may carry keeps its
   * own; the defaults that do not fit are left off with a warning (never a failure). A change
   * reaches each user at its next update, and a key removed here is removed from users then.
   *
   * @default no default tags (`DEFAULT_TAGS` is not set)
   */
  readonly defaultTags?: { readonly [key: string]: string };
  /**
   * The function's description.
   *
   * @default 'Custom::ConnectUser: creates, updates and deletes Amazon Connect users'
   */
  readonly description?: string;
}

/** Marks a ConnectUserFunction whatever copy of this library made it. */
const MARKER = Symbol.for('connect-user-resource-cdk.ConnectUserFunction');

/**
 * The Lambda behind `Custom::ConnectUser`: `provided.al2023`, arm64 by default, JSON logs in its
 * own log group, and a role that grants exactly what src/connect_user/permissions.json lists,
 * on the Connect instances and password secrets of the users it serves (each `ConnectUser`
 * adds its own with `grantInstance` and `grantPasswordSecret`).
 */
export class ConnectUserFunction extends lambda.Function {
  /** The construct id of the function `ConnectUser` creates once per stack. */
  public static readonly SINGLETON_ID = 'ConnectUserFunction';

  /**
   * The stack's one `ConnectUserFunction`, created with `props` the first time it is asked for.
   * Every `ConnectUser` of the stack that is not given a function uses it, and its role
   * accumulates every user's instance and secret.
   */
  public static singleton(scope: Construct, props: ConnectUserFunctionProps = {}): ConnectUserFunction {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ConnectUserFunction.SINGLETON_ID);
    if (existing instanceof ConnectUserFunction) return existing;
    if (existing) {
      throw new Error(
        `${stack.node.path}/${ConnectUserFunction.SINGLETON_ID} exists and is not a ConnectUserFunction; ` +
          'pass the function to each ConnectUser instead',
      );
    }
    return new ConnectUserFunction(stack, ConnectUserFunction.SINGLETON_ID, props);
  }

  /** Whether the stack of `scope` has its singleton `ConnectUserFunction` already. */
  public static hasSingleton(scope: Construct): boolean {
    return Stack.of(scope).node.tryFindChild(ConnectUserFunction.SINGLETON_ID) !== undefined;
  }

  /** Whether `x` is a `ConnectUserFunction` (of any copy of this library). */
  public static isConnectUserFunction(x: unknown): x is ConnectUserFunction {
    return typeof x === 'object' && x !== null && (x as { [MARKER]?: boolean })[MARKER] === true;
  }

  /** The value of `RESPONSE_MODE`. */
  public readonly responseMode: ResponseMode;
  /** The default tags (`DEFAULT_TAGS`), if any. */
  public readonly defaultTags?: { readonly [key: string]: string };

  private readonly permissions: Permissions;
  private readonly statements = new Map<string, iam.PolicyStatement>();
  private readonly instances = new Set<string>();
  private readonly secrets = new Set<string>();
  private readonly keys = new Set<string>();
  /** The wildcard resources acknowledged for cdk-nag, once each. */
  private readonly acknowledged = new Set<string>();
  private provider?: cr.Provider;
  private readonly logRetention: logs.RetentionDays;
  /**
   * In `PUT` mode, the policy that lets the function invoke itself (`lambda:InvokeFunction` on
   * its own ARN and nothing else); every `ConnectUser` it serves depends on it.
   */
  public readonly invokeItselfPolicy?: iam.Policy;

  constructor(scope: Construct, id: string, props: ConnectUserFunctionProps = {}) {
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const responseMode = props.responseMode ?? ResponseMode.PUT;
    if (!Object.values(ResponseMode).includes(responseMode)) {
      throw new Error(`${id}: responseMode must be 'put' or 'return' (it is '${responseMode}')`);
    }
    const environment: { [key: string]: string } = { RESPONSE_MODE: responseMode };
    if (props.defaultTags !== undefined) {
      const problems = defaultTagProblems(props.defaultTags);
      if (problems.length === 0) {
        environment.DEFAULT_TAGS = defaultTagsJson(scope, props.defaultTags);
        problems.push(...environmentSizeProblems(environment, 'defaultTags'));
      }
      if (problems.length > 0) {
        throw new Error(
          `${id}: invalid ConnectUserFunction props: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        );
      }
    }
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const { logGroup, role } = loggingRole(
      scope,
      id,
      logRetention,
      'connect-user-resource: the Connect actions of permissions.json, on the instances of its users',
    );
    super(scope, id, {
      role,
      description: props.description ?? 'Custom::ConnectUser: creates, updates and deletes Amazon Connect users',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture,
      handler: 'bootstrap',
      code: props.code ?? defaultCode(architecture),
      memorySize: props.memorySize ?? 128,
      timeout: props.timeout ?? Duration.minutes(15),
      // Asynchronous invocations (the function's continuations of its own work, in PUT mode):
      // Lambda retries a failed one at most once (its default is twice). Lambda's recursive loop
      // detection stops a chain at about 16 invocations (Lambda Developer Guide, "Use Lambda
      // recursive loop detection to prevent infinite loops"); 5 invocations a request, each
      // tried at most twice, make 10 at most, well under it. As template.yaml's
      // EventInvokeConfig (MaximumRetryAttempts: 1).
      retryAttempts: 1,
      // Lambda's advanced logging controls: JSON lines, and the level as AWS_LAMBDA_LOG_LEVEL
      // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html).
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
      logGroup,
      environment,
    });
    Object.defineProperty(this, MARKER, { value: true });
    this.responseMode = responseMode;
    this.logRetention = logRetention;
    this.defaultTags = props.defaultTags;
    this.permissions = loadPermissions();
    if (responseMode === ResponseMode.PUT) {
      // Work that outlasts one invocation goes on in the next: an asynchronous Invoke of this
      // very function, on the ARN it was invoked as, which is the service token CloudFormation
      // used: the unqualified function ARN (`serviceToken` below), so exactly that ARN is
      // granted (a version or alias ARN would need a grant of its own). The Service
      // Authorization Reference, AWS Lambda: InvokeFunction requires the resource type
      // `function`, arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}.
      // A policy of its own, not addToRolePolicy: the function depends on its role's default
      // policy, so naming the function's ARN there would be a circular dependency; this policy
      // depends on the function instead, and each ConnectUser depends on it, so that no event
      // arrives before the grant is in place. In RETURN mode the Provider framework invokes the
      // function and the function never invokes itself: no grant.
      this.invokeItselfPolicy = new iam.Policy(this, 'InvokeItself', {
        roles: [this.role!],
        statements: [
          new iam.PolicyStatement({
            sid: 'InvokeItself',
            actions: ['lambda:InvokeFunction'],
            resources: [this.functionArn],
          }),
        ],
      });
    }
  }

  /**
   * The service token a `Custom::ConnectUser` names: the function's ARN in `PUT` mode; in
   * `RETURN` mode, a CDK Provider around the function (created once).
   */
  public get serviceToken(): string {
    if (this.responseMode === ResponseMode.PUT) return this.functionArn;
    if (!this.provider) {
      this.provider = provider(this, this.logRetention);
    }
    return this.provider.serviceToken;
  }

  /**
   * Grants every Connect action of permissions.json on one instance's resources. `instanceId`
   * is an instance id or a literal instance ARN; a token (a parameter, an attribute) is taken as
   * an id, which is what `Custom::ConnectUser`'s InstanceId is in practice.
   */
  public grantInstance(instanceId: string): void {
    const id = instanceIdOf(instanceId);
    if (this.instances.has(id)) return;
    this.instances.add(id);
    for (const statement of this.permissions.statements) {
      const arns = statement.resources
        .filter((name) => name !== PASSWORD_SECRET)
        .map((name) => subArn(this.permissions, name, id));
      if (arns.length > 0) {
        this.statement(statement.sid, statement.actions).addResources(...arns);
        this.acknowledgeInstanceWildcards(arns);
      }
    }
  }

  /**
   * Grants reading one password secret: `GetSecretValue` on it and nothing else
   * (not `grantRead`, which adds `DescribeSecret`), plus `kms:Decrypt` through Secrets Manager
   * when the secret is encrypted with a customer-managed key.
   */
  public grantPasswordSecret(secret: secretsmanager.ISecret): void {
    // A secret imported by name has a partial ARN, without the hyphen and six random characters
    // Secrets Manager appends to every secret's ARN; a policy matches them with `-??????`
    // (Secrets Manager User Guide, "Permissions reference", resources: https://docs.aws.amazon.com/
    // secretsmanager/latest/userguide/reference_iam-permissions.html; aws-cdk-lib's own
    // `SecretBase.arnForPolicies` does the same).
    const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    if (!this.secrets.has(arn)) {
      this.secrets.add(arn);
      for (const statement of this.permissions.statements) {
        if (statement.resources.includes(PASSWORD_SECRET)) {
          this.statement(statement.sid, statement.actions).addResources(arn);
        }
      }
    }
    const key = secret.encryptionKey;
    if (key && !this.keys.has(key.keyArn)) {
      this.keys.add(key.keyArn);
      // GetSecretValue on a secret under a customer-managed key needs kms:Decrypt on that key;
      // kms:ViaService keeps it to decryption through Secrets Manager (Secrets Manager User
      // Guide, "Secret encryption and decryption": https://docs.aws.amazon.com/secretsmanager/
      // latest/userguide/security-encryption.html). AWS managed keys need no grant.
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: `DecryptAgentPassword${this.keys.size}`,
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` },
          },
        }),
      );
    }
  }

  /** The statement of permissions.json with this sid, added to the role when first needed. */
  private statement(sid: string, actions: ReadonlyArray<string>): iam.PolicyStatement {
    let statement = this.statements.get(sid);
    if (!statement) {
      statement = new iam.PolicyStatement({ sid, actions: [...actions] });
      this.statements.set(sid, statement);
      this.addToRolePolicy(statement);
    }
    return statement;
  }

  /**
   * Acknowledges, for cdk-nag's AwsSolutions-IAM5 (wildcard resources), each `.../<type>/*`
   * resource granted on one instance: the function creates agents at deploy time, so their ids
   * (and those of the profiles and groups a user names) are unknown at synth, and
   * `instance/<id>/<type>/*` is the narrowest resource IAM offers for them (Service
   * Authorization Reference, Amazon Connect, resource types `user`, `routing-profile`,
   * `security-profile`, `hierarchy-group`). Only this function's role policy is acknowledged.
   */
  private acknowledgeInstanceWildcards(arns: ReadonlyArray<string>): void {
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    for (const arn of arns) {
      const resource = nagResource(Stack.of(this).resolve(arn));
      if (resource === undefined || !resource.wildcard || this.acknowledged.has(resource.finding)) continue;
      this.acknowledged.add(resource.finding);
      const type = /\/([a-z-]+)\/\*"?/.exec(resource.finding)?.[1] ?? 'resource';
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource.finding}]`,
        reason:
          'Agents are created at deploy time, so their ids (and those of the profiles and groups a user ' +
          `names) are unknown at synth; the instance's ${type}/* is the narrowest resource IAM allows for them`,
      });
    }
  }
}

/**
 * A function's log group (`<id>Logs`) and its role (`<id>Role`), a role of its own rather than
 * Lambda's default, which carries the managed AWSLambdaBasicExecutionRole (logs on every log
 * group of the account; cdk-nag AwsSolutions-IAM4). The role may write that one log group:
 * `CreateLogStream` and `PutLogEvents` on its `Arn` attribute (`arn:...:log-group:<name>:*`,
 * which covers its streams), the two actions Lambda needs when the log group exists (Lambda
 * Developer Guide, "Sending Lambda function logs to CloudWatch Logs": the execution role needs
 * logs:CreateLogStream and logs:PutLogEvents, and logs:CreateLogGroup only to create the group,
 * which the stack does). The statement also creates the role's default policy, which the
 * function waits for and the cdk-nag acknowledgements name.
 */
function loggingRole(
  scope: Construct,
  id: string,
  retention: logs.RetentionDays,
  description: string,
): { logGroup: logs.LogGroup; role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  return { logGroup, role };
}

/**
 * The CDK Provider framework around `fn` (`RETURN` mode), with a log group of its own, kept as
 * long as the function's (the Provider's `logRetention` is legacy and adds a function of its
 * own), and a role that may log there only ([`loggingRole`]). The framework grants itself `lambda:InvokeFunction` on the
 * function and its versions (`<function>.Arn:*`, cdk-nag AwsSolutions-IAM5), which is
 * acknowledged on that role's policy: it invokes the function it wraps and nothing else.
 */
function provider(fn: lambda.Function, retention: logs.RetentionDays): cr.Provider {
  const { logGroup, role } = loggingRole(
    fn,
    'Provider',
    retention,
    'connect-user-resource: the CDK Provider framework, invoking the function it wraps',
  );
  const framework = new cr.Provider(fn, 'Provider', { onEventHandler: fn, logGroup, frameworkOnEventRole: role });
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'The CDK Provider framework invokes the function it wraps, in any of its versions ' +
        '(aws-cdk-lib grants <function>.Arn:*); it may invoke no other function',
    });
  }
  return framework;
}

/**
 * A resolved resource as cdk-nag names it in a finding (`AwsSolutions-IAM5[Resource::<this>]`):
 * a literal ARN as it is, an `Fn::Sub` as its JSON (`["arn:...${InstanceId}/agent/*",
 * {"InstanceId":...}]`, as cdk-nag 3 prints it); `wildcard` tells whether its pattern ends in
 * `/*`. Undefined for any other form.
 */
function nagResource(resolved: unknown): { finding: string; wildcard: boolean } | undefined {
  if (typeof resolved === 'string') return { finding: resolved, wildcard: resolved.endsWith('/*') };
  if (resolved === null || typeof resolved !== 'object') return undefined;
  const sub = (resolved as { [key: string]: unknown })['Fn::Sub'];
  if (!Array.isArray(sub) || typeof sub[0] !== 'string') return undefined;
  return { finding: JSON.stringify(sub), wildcard: sub[0].endsWith('/*') };
}

/** A resource's ARN pattern from permissions.json, in one instance. */
function subArn(permissions: Permissions, name: string, instanceId: string): string {
  const resource = permissions.resources[name];
  if (!resource) throw new Error(`permissions.json: unknown resource ${name}`);
  // Fn::Sub resolves the pseudo parameters; the instance id is the ${InstanceId} variable.
  return Fn.sub(resource.arn, { InstanceId: instanceId });
}

/**
 * The instance id in `InstanceId`: a literal instance ARN
 * (`arn:<partition>:connect:<region>:<account>:instance/<id>`, Service Authorization Reference,
 * Amazon Connect, resource type `instance`) is reduced to its id; anything else is the id.
 */
export function instanceIdOf(instanceId: string): string {
  if (Token.isUnresolved(instanceId)) return instanceId;
  const match = /^arn:[^:]+:connect:[^:]*:[^:]*:instance\/([^/]+)$/.exec(instanceId);
  return match ? match[1] : instanceId;
}

/**
 * `defaultTags`: a map of tag key to string value, each tag by the rules of `tags`, as the
 * function reads `DEFAULT_TAGS` (a non-string value breaks it). No limit on how many: a user
 * leaves off the defaults that do not fit beside its own tags.
 */
function defaultTagProblems(tags: unknown): PropProblem[] {
  if (Token.isUnresolved(tags)) return [];
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    return [{ path: 'defaultTags', message: 'must be a map of tag key to value' }];
  }
  return tagProblems(tags as { [key: string]: unknown }, 'defaultTags', true);
}

/**
 * `DEFAULT_TAGS`: the map as JSON, written out at synth when no key or value is a token, else
 * rendered by the stack (which quotes what the tokens resolve to at deploy time).
 */
function defaultTagsJson(scope: Construct, tags: { readonly [key: string]: string }): string {
  const literal =
    !Token.isUnresolved(tags) &&
    Object.entries(tags).every(([key, value]) => !Token.isUnresolved(key) && !Token.isUnresolved(value));
  return literal ? JSON.stringify(tags) : Stack.of(scope).toJsonString(tags);
}

/**
 * Lambda allows 4 KB of environment variables per function, in aggregate (Lambda Developer
 * Guide, "Lambda quotas", function configuration: "Function environment variables: 4 KB, for all
 * environment variables associated with the function, in aggregate"). Assumption: the names and
 * values count as their UTF-8 bytes (AWS does not say how it counts). Judged only when no
 * name or value is a token.
 */
function environmentSizeProblems(environment: { [key: string]: string }, path: string): PropProblem[] {
  const entries = Object.entries(environment);
  if (entries.some(([name, value]) => Token.isUnresolved(name) || Token.isUnresolved(value))) return [];
  const bytes = entries.reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
  if (bytes <= 4096) return [];
  return [{ path, message: `makes the function's environment ${bytes} bytes, over Lambda's 4 KB (4096 bytes)` }];
}

/**
 * The code `make build` writes for the architecture, inside the connect-user-resource repository
 * that holds this copy of the package (its `Cargo.toml` and `src/connect_user/permissions.json`
 * above `lib/`). Outside it (the package installed from npm, PyPI or a tarball), `code` is
 * required: the error says so.
 */
function defaultCode(architecture: lambda.Architecture): lambda.Code {
  const folder = architecture.name === lambda.Architecture.X86_64.name ? 'lambda-x86_64' : 'lambda-arm64';
  const root = repositoryRoot();
  if (root === undefined) {
    throw new Error(
      'ConnectUserFunction: no code given. Outside the connect-user-resource repository, pass `code`: ' +
        "the release's zip for the architecture, such as lambda.Code.fromAsset('connect-user-resource-" +
        `<version>-${architecture.name}.zip') (Python: aws_lambda.Code.from_asset(...))`,
    );
  }
  const zip = path.join(root, 'target', folder, 'connect-user-resource', 'bootstrap.zip');
  if (!fs.existsSync(zip)) {
    throw new Error(
      `ConnectUserFunction: no code given and ${zip} does not exist; run \`make build\` or pass \`code\``,
    );
  }
  return lambda.Code.fromAsset(zip);
}

/** The connect-user-resource repository above this module, if it ships in one. */
function repositoryRoot(): string | undefined {
  let dir = __dirname;
  for (;;) {
    const cargo = path.join(dir, 'Cargo.toml');
    if (fs.existsSync(cargo) && fs.existsSync(path.join(dir, 'src', 'connect_user', 'permissions.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
