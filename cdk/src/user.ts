import { Annotations, CustomResource, Duration, ITaggableV2, Lazy, RemovalPolicy, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConnectUserFunction, ConnectUserFunctionProps } from './function';
import { UserTags } from './tags';
import {
  adoptExistingUserProblems,
  alternativeProblems,
  bothGiven,
  deskPhoneProblems,
  nameProblems,
  PropProblem,
  RESERVED_TAG_KEY,
  routingProfileNameProblems,
  securityProfileNameProblems,
  securityProfileProblems,
  userTagProblems,
} from './validation';

/** A contact channel (Amazon Connect's `Channel`). */
export enum Channel {
  VOICE = 'VOICE',
  CHAT = 'CHAT',
  TASK = 'TASK',
  EMAIL = 'EMAIL',
}

/** The agent's phone type. */
export enum PhoneType {
  SOFT_PHONE = 'SOFT_PHONE',
  DESK_PHONE = 'DESK_PHONE',
}

/** Voice enhancement on the VOICE channel. */
export enum VoiceEnhancementMode {
  VOICE_ISOLATION = 'VOICE_ISOLATION',
  NOISE_SUPPRESSION = 'NOISE_SUPPRESSION',
  NONE = 'NONE',
}

/** `IdentityInfo`. Given, it is managed whole; left out, the identity stays as Connect holds it. */
export interface IdentityInfo {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly secondaryEmail?: string;
  /** E.164, such as +14255550100. */
  readonly mobile?: string;
}

/** `PhoneConfig`: the VOICE channel's phone settings, and the after-contact-work limit of every channel. */
export interface PhoneConfig {
  /** Required unless `phoneNumberConfigs` is given. */
  readonly phoneType?: PhoneType;
  readonly autoAccept?: boolean;
  /** Seconds, 0 to 2,000,000 (0: until the agent ends it). */
  readonly afterContactWorkTimeLimit?: number;
  /** E.164; required for `DESK_PHONE`. */
  readonly deskPhoneNumber?: string;
  readonly persistentConnection?: boolean;
}

/** One entry of `AutoAcceptConfigs`. */
export interface AutoAcceptConfig {
  readonly channel: Channel;
  readonly autoAccept: boolean;
  /** VOICE only. */
  readonly agentFirstCallbackAutoAccept?: boolean;
}

/** `{AfterContactWorkTimeLimit}`. */
export interface AfterContactWorkLimit {
  /** Seconds, 0 to 2,000,000 (0: until the agent ends it). */
  readonly afterContactWorkTimeLimit: number;
}

/**
 * One entry of `AfterContactWorkConfigs`: a channel and its limits. (Named for its channel, so
 * that no member shares its type's name: C# cannot have both.)
 */
export interface AfterContactWorkChannelConfig {
  readonly channel: Channel;
  readonly afterContactWorkConfig: AfterContactWorkLimit;
  /** VOICE only. */
  readonly agentFirstCallbackAfterContactWorkConfig?: AfterContactWorkLimit;
}

/** One entry of `PhoneNumberConfigs` (VOICE only). */
export interface PhoneNumberConfig {
  readonly channel: Channel;
  readonly phoneType: PhoneType;
  /** E.164; required for `DESK_PHONE`. */
  readonly phoneNumber?: string;
}

/** One entry of `PersistentConnectionConfigs` (VOICE only). */
export interface PersistentConnectionConfig {
  readonly channel: Channel;
  readonly persistentConnection: boolean;
}

/** One entry of `VoiceEnhancementConfigs` (VOICE only). */
export interface VoiceEnhancementConfig {
  readonly channel: Channel;
  readonly voiceEnhancementMode: VoiceEnhancementMode;
}

/** One entry of `UserProficiencies`: a predefined attribute value of the instance, and a level. */
export interface UserProficiency {
  /** Sent as it is: attribute names are never case-converted. */
  readonly attributeName: string;
  readonly attributeValue: string;
  /** A whole number, 1 to 5. */
  readonly level: number;
}

/**
 * The properties of one `Custom::ConnectUser`, in the construct's camelCase; each is sent under
 * its PascalCase name (docs/properties.md says what each means and when it applies).
 */
export interface ConnectUserProps {
  /** The Amazon Connect instance: its id, or its ARN. Changing it replaces the user. */
  readonly instanceId: string;
  /**
   * The user name: 1 to 64 of `[a-zA-Z0-9_.@-]`. With `passwordSecret` (a Connect-managed
   * instance) also at most 20 characters, and `@` only in an email format
   * (`agent@example.com`); without one (SAML, existing directory) Connect decides, so a SAML
   * agent such as `005Hs00000AbCdEIAZ@00DHs0000012345` is fine. Changing it replaces the user.
   */
  readonly name: string;
  /**
   * The secret holding the initial password (the plain string, or JSON with the password under
   * `passwordSecretKey`). The function is granted `secretsmanager:GetSecretValue` on it, and
   * `kms:Decrypt` when it has a customer-managed key. Leave it out for SAML and directory
   * instances.
   *
   * @default no password
   */
  readonly passwordSecret?: secretsmanager.ISecret;
  /**
   * The JSON key that holds the password in `passwordSecret`.
   *
   * @default 'password' (the function's default)
   */
  readonly passwordSecretKey?: string;
  /** For `EXISTING_DIRECTORY` instances only. */
  readonly directoryUserId?: string;
  /**
   * The agent hierarchy group: its id or ARN; `''` means none. The alternative to
   * `hierarchyGroupName`: give at most one of them.
   *
   * @default no hierarchy group
   */
  readonly hierarchyGroupId?: string;
  /**
   * The agent hierarchy group by its whole name, exactly as Connect holds it, resolved to its
   * id in the instance by the function on every Create and Update; `''` means none. The
   * alternative to `hierarchyGroupId`: give at most one of them (both, even `''`, fails at
   * synth).
   *
   * @default no hierarchy group
   */
  readonly hierarchyGroupName?: string;
  readonly identityInfo?: IdentityInfo;
  /** Required unless `phoneNumberConfigs` is given. */
  readonly phoneConfig?: PhoneConfig;
  readonly autoAcceptConfigs?: AutoAcceptConfig[];
  readonly afterContactWorkConfigs?: AfterContactWorkChannelConfig[];
  readonly phoneNumberConfigs?: PhoneNumberConfig[];
  readonly persistentConnectionConfigs?: PersistentConnectionConfig[];
  readonly voiceEnhancementConfigs?: VoiceEnhancementConfig[];
  readonly userProficiencies?: UserProficiency[];
  /**
   * The routing profile: its id or ARN. Exactly one of `routingProfileId` and
   * `routingProfileName` is required.
   *
   * @default none: `routingProfileName` is then required
   */
  readonly routingProfileId?: string;
  /**
   * The routing profile by its whole name (1 to 127 characters), exactly as Connect holds it,
   * such as `Basic Routing Profile`, resolved to its id in the instance by the function on
   * every Create and Update. Exactly one of `routingProfileId` and `routingProfileName` is
   * required.
   *
   * @default none: `routingProfileId` is then required
   */
  readonly routingProfileName?: string;
  /**
   * The security profiles: 1 to 10 ids or ARNs. Exactly one of `securityProfileIds` and
   * `securityProfileNames` is required.
   *
   * @default none: `securityProfileNames` is then required
   */
  readonly securityProfileIds?: string[];
  /**
   * The security profiles by their whole names, such as `Agent`: 1 to 10, no two alike,
   * resolved to ids in the instance by the function on every Create and Update. Exactly one of
   * `securityProfileIds` and `securityProfileNames` is required.
   *
   * @default none: `securityProfileIds` is then required
   */
  readonly securityProfileNames?: string[];
  /**
   * Tag key to value; keys are sent as they are (never case-converted). At most 49 (one of
   * Connect's 50 is the function's own). They win on a key over tags applied to a scope above
   * the user (`Tags.of(scope).add(...)`), which win over the function's `defaultTags`.
   *
   * @default no tags of the user's own (tags of the scopes above it still apply)
   */
  readonly tags?: { readonly [key: string]: string };
  /**
   * Bring a user that already has this name under this resource (`AdoptExistingUser`), like
   * `terraform import`: a user that no resource of the function manages is claimed and then
   * converged, so console tags and settings these props do not state are removed. A user
   * managed by another resource is never taken. A Delete releases an adopted user (removes the
   * function's tag, leaves the user); set it to `false` later to own the user, so that a Delete
   * deletes it. Without a user of that name, the user is created as usual.
   *
   * @default false (a taken name fails the Create, and the user is left untouched)
   */
  readonly adoptExistingUser?: boolean;
  /**
   * How long CloudFormation waits for the function's answer (`ServiceTimeout`, 1 second to 1
   * hour). Always sent, so that the function reads how long it has from the properties. An hour
   * covers adopting 500 users (about 2,000 s of Connect's throttle), more than one invocation's
   * 15 minutes: in `PUT` mode the function goes on in further invocations and answers before
   * this wait ends.
   *
   * @default Duration.hours(1) (CloudFormation's maximum)
   */
  readonly serviceTimeout?: Duration;
  /**
   * What happens to the user when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY (the function deletes the user)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The function that serves this user. A `ConnectUserFunction` gets this user's instance and
   * secret added to its role; any other function (imported with `fromFunctionArn`, from
   * another app) has no role this construct can extend: a warning says what to grant.
   *
   * @default the stack's one `ConnectUserFunction` (`ConnectUserFunction.singleton`)
   */
  readonly function?: lambda.IFunction;
  /**
   * Options of the stack's `ConnectUserFunction`, for the user that creates it (the first
   * without `function`); a later user that gives them fails, as they could not apply.
   *
   * @default the function's defaults
   */
  readonly functionProps?: ConnectUserFunctionProps;
}

/**
 * One Amazon Connect user: a `Custom::ConnectUser` with typed properties, served by the stack's
 * `ConnectUserFunction` (or the function given), whose role it extends with its instance and
 * password secret.
 */
export class ConnectUser extends Construct implements ITaggableV2 {
  /** The resource type of every user. */
  public static readonly RESOURCE_TYPE = 'Custom::ConnectUser';

  /**
   * The key of the tag the function keeps for itself on every user it manages (created or
   * adopted): neither `tags`, `defaultTags` nor a scope's tags may set it.
   */
  public static readonly RESERVED_TAG_KEY = RESERVED_TAG_KEY;

  /**
   * Every synth-time problem with `props` (a user that has any fails at construction), each
   * named by its prop path; empty when the props pass every rule that is certain at synth. The
   * function checks the rest when CloudFormation sends the properties.
   */
  public static validate(props: ConnectUserProps): PropProblem[] {
    return validate(props);
  }

  /**
   * Tags applied to a scope above this user (`Tags.of(scope).add(key, value)`): they reach the
   * user's `Tags` beneath its own `tags` (docs/cdk.md, "Tags").
   */
  public readonly cdkTagManager: TagManager;
  /** The user's id (`GetAtt UserId`). */
  public readonly userId: string;
  /** The user's ARN (`GetAtt Arn`). */
  public readonly userArn: string;
  /** The physical id, `instanceId:userId` (`Ref`). */
  public readonly physicalId: string;
  /** The function that serves the user. */
  public readonly function: lambda.IFunction;
  /** The `Custom::ConnectUser` resource. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ConnectUserProps) {
    super(scope, id);
    const problems = validate(props);
    if (problems.length > 0) {
      throw new Error(
        `${this.node.path}: invalid ConnectUser props: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      );
    }

    if (props.functionProps && props.function) {
      throw new Error(`${this.node.path}: give function or functionProps, not both`);
    }
    if (props.functionProps && ConnectUserFunction.hasSingleton(this)) {
      throw new Error(
        `${this.node.path}: functionProps apply when the stack's ConnectUserFunction is created, and it ` +
          'exists already; give them to the first ConnectUser or to ConnectUserFunction.singleton()',
      );
    }
    const fn = props.function ?? ConnectUserFunction.singleton(this, props.functionProps);
    let serviceToken: string;
    if (ConnectUserFunction.isConnectUserFunction(fn)) {
      fn.grantInstance(props.instanceId);
      if (props.passwordSecret) fn.grantPasswordSecret(props.passwordSecret);
      serviceToken = fn.serviceToken;
    } else {
      serviceToken = fn.functionArn;
      Annotations.of(this).addWarningV2(
        'connect-user-resource-cdk:ConnectUser.functionWithoutRole',
        `${fn.node.path} is not a ConnectUserFunction of this app (imported, or from another ` +
          'stack\'s service token): its role cannot be extended here. Grant it the actions of ' +
          'src/connect_user/permissions.json on this user\'s instance' +
          (props.passwordSecret ? ', secretsmanager:GetSecretValue on its password secret,' : '') +
          ' and (RESPONSE_MODE=put) lambda:InvokeFunction on the function itself, where the function is defined.',
      );
    }
    this.function = fn;
    this.cdkTagManager = new TagManager(TagType.MAP, ConnectUser.RESOURCE_TYPE);
    const tags = new UserTags(this, props.tags, this.cdkTagManager, fn);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken,
      resourceType: ConnectUser.RESOURCE_TYPE,
      serviceTimeout: props.serviceTimeout ?? Duration.hours(1),
      removalPolicy: props.removalPolicy,
      properties: wireProperties(props, Lazy.any({ produce: () => tags.wire() })),
    });
    // In PUT mode the function may go on in further invocations of itself: no event before
    // that grant is in place (it depends on the function, so it cannot be in the role's default
    // policy, which the function waits for).
    if (ConnectUserFunction.isConnectUserFunction(fn) && fn.invokeItselfPolicy) {
      this.resource.node.addDependency(fn.invokeItselfPolicy);
    }
    this.physicalId = this.resource.ref;
    this.userId = this.resource.getAttString('UserId');
    this.userArn = this.resource.getAttString('Arn');
  }
}

/** Every synth-time problem with the props (validation.ts), each named by its prop path. */
function validate(props: ConnectUserProps): PropProblem[] {
  const problems = [
    ...nameProblems(props.name, 'name', props.passwordSecret !== undefined && props.passwordSecret !== null),
    ...profileProblems(props),
    ...adoptExistingUserProblems(props.adoptExistingUser),
  ];
  if (props.tags !== undefined) problems.push(...userTagProblems(props.tags));
  if (props.phoneConfig) {
    problems.push(
      ...deskPhoneProblems(
        props.phoneConfig.phoneType,
        props.phoneConfig.deskPhoneNumber,
        'phoneConfig.deskPhoneNumber',
        'phoneConfig.phoneType',
      ),
    );
  }
  if (props.phoneNumberConfigs && !Token.isUnresolved(props.phoneNumberConfigs)) {
    props.phoneNumberConfigs.forEach((entry, i) => {
      problems.push(
        ...deskPhoneProblems(
          entry.phoneType,
          entry.phoneNumber,
          `phoneNumberConfigs[${i}].phoneNumber`,
          `phoneNumberConfigs[${i}].phoneType`,
        ),
      );
    });
  }
  return problems;
}

/**
 * The id-or-name pairs (routing profile, security profiles, hierarchy group), as the function
 * reads them: each pair's either-or rule, then the rules of the one given (when both are given,
 * only that is reported, as there).
 */
function profileProblems(props: ConnectUserProps): PropProblem[] {
  const routingId = { path: 'routingProfileId', value: props.routingProfileId };
  const routingName = { path: 'routingProfileName', value: props.routingProfileName };
  const securityIds = { path: 'securityProfileIds', value: props.securityProfileIds };
  const securityNames = { path: 'securityProfileNames', value: props.securityProfileNames };
  const problems = [
    ...alternativeProblems(
      { path: 'hierarchyGroupId', value: props.hierarchyGroupId },
      { path: 'hierarchyGroupName', value: props.hierarchyGroupName },
      false,
    ),
    ...alternativeProblems(routingId, routingName, true),
    ...alternativeProblems(securityIds, securityNames, true),
  ];
  if (!bothGiven(routingId.value, routingName.value) && given(props.routingProfileName)) {
    problems.push(...routingProfileNameProblems(props.routingProfileName));
  }
  if (!bothGiven(securityIds.value, securityNames.value)) {
    if (given(props.securityProfileIds)) problems.push(...securityProfileProblems(props.securityProfileIds));
    if (given(props.securityProfileNames)) problems.push(...securityProfileNameProblems(props.securityProfileNames));
  }
  return problems;
}

/** Present and not null (a prop from JavaScript may be `null`). */
function given<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null;
}

/**
 * The props as the function reads them: each camelCase prop under its PascalCase property name,
 * at every depth, spelled out (`CustomResource`'s `pascalCaseProperties` converts top-level keys
 * only). Tag keys and proficiency attribute names are values, sent as they are. A prop left
 * out is left out.
 */
export function wireProperties(props: ConnectUserProps, tags: unknown): { [key: string]: unknown } {
  return compact({
    InstanceId: props.instanceId,
    Name: props.name,
    PasswordSecretArn: props.passwordSecret?.secretArn,
    PasswordSecretKey: props.passwordSecretKey,
    DirectoryUserId: props.directoryUserId,
    HierarchyGroupId: props.hierarchyGroupId,
    HierarchyGroupName: props.hierarchyGroupName,
    IdentityInfo: props.identityInfo && compact({
      FirstName: props.identityInfo.firstName,
      LastName: props.identityInfo.lastName,
      Email: props.identityInfo.email,
      SecondaryEmail: props.identityInfo.secondaryEmail,
      Mobile: props.identityInfo.mobile,
    }),
    PhoneConfig: props.phoneConfig && compact({
      PhoneType: props.phoneConfig.phoneType,
      AutoAccept: props.phoneConfig.autoAccept,
      AfterContactWorkTimeLimit: props.phoneConfig.afterContactWorkTimeLimit,
      DeskPhoneNumber: props.phoneConfig.deskPhoneNumber,
      PersistentConnection: props.phoneConfig.persistentConnection,
    }),
    AutoAcceptConfigs: list(props.autoAcceptConfigs, (c) => compact({
      Channel: c.channel,
      AutoAccept: c.autoAccept,
      AgentFirstCallbackAutoAccept: c.agentFirstCallbackAutoAccept,
    })),
    AfterContactWorkConfigs: list(props.afterContactWorkConfigs, (c) => compact({
      Channel: c.channel,
      AfterContactWorkConfig: workLimit(c.afterContactWorkConfig),
      AgentFirstCallbackAfterContactWorkConfig: workLimit(c.agentFirstCallbackAfterContactWorkConfig),
    })),
    PhoneNumberConfigs: list(props.phoneNumberConfigs, (c) => compact({
      Channel: c.channel,
      PhoneType: c.phoneType,
      PhoneNumber: c.phoneNumber,
    })),
    PersistentConnectionConfigs: list(props.persistentConnectionConfigs, (c) => compact({
      Channel: c.channel,
      PersistentConnection: c.persistentConnection,
    })),
    VoiceEnhancementConfigs: list(props.voiceEnhancementConfigs, (c) => compact({
      Channel: c.channel,
      VoiceEnhancementMode: c.voiceEnhancementMode,
    })),
    UserProficiencies: list(props.userProficiencies, (p) => compact({
      AttributeName: p.attributeName,
      AttributeValue: p.attributeValue,
      Level: p.level,
    })),
    RoutingProfileId: props.routingProfileId,
    RoutingProfileName: props.routingProfileName,
    SecurityProfileIds: props.securityProfileIds,
    SecurityProfileNames: props.securityProfileNames,
    // A {key: value} map, which the function accepts as well as [{Key, Value}]: the user's own
    // tags over its scopes' (tags.ts).
    Tags: tags,
    // As CloudFormation sends a boolean: exactly "true" or "false", the only spellings the
    // function reads.
    AdoptExistingUser: adoptFlag(props.adoptExistingUser),
  });
}

/** `"true"` or `"false"`; left out when none is given (`''` and `null` are none, as in the function). */
function adoptFlag(value: boolean | undefined): unknown {
  const given: unknown = value;
  if (given === undefined || given === null || given === '') return undefined;
  if (Token.isUnresolved(given)) return given;
  return String(given).toLowerCase();
}

function workLimit(limit: AfterContactWorkLimit | undefined): { [key: string]: unknown } | undefined {
  return limit && compact({ AfterContactWorkTimeLimit: limit.afterContactWorkTimeLimit });
}

/** Maps a list of entries; a list token passes through as it is. */
function list<T>(items: T[] | undefined, map: (item: T) => unknown): unknown {
  if (items === undefined) return undefined;
  if (Token.isUnresolved(items)) return items;
  return items.map((item) => (Token.isUnresolved(item) ? item : map(item)));
}

/** The object without its undefined members. */
function compact(object: { [key: string]: unknown }): { [key: string]: unknown } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
