import { Annotations, TagManager, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ConnectUserFunction } from './function';
import { MAX_USER_TAGS, tagProblems } from './validation';

type TagMap = { readonly [key: string]: string };

/**
 * A user's `Tags` as the function receives them: the user's own `tags` over the tags applied to
 * the scopes above it (`Tags.of(scope).add`, which reach the user's `TagManager` through CDK's
 * tag aspect). The function sends them all as the user's tags, beneath which it puts its own
 * `defaultTags`. So, on a key: the user's own tag wins over a scope's, which wins over a default.
 *
 * The budget is the one a user's tags have today: 49 (Connect's 50 a resource, one of which is
 * the function's). The user's own tags always fit (more than 49 fails at construction, as
 * before); scope tags fill what is left in key order (keys compared by their UTF-8 bytes, the
 * order in which the function fills in defaults), and those that do not fit are left off with
 * a synth warning rather than failing the app: a `Tags.of(app)` meant for every resource should
 * not stop a user that already carries 49 tags. A scope tag that Connect would refuse (its key
 * or value against the rules of `tags`) fails the synth, naming it, since the function would
 * fail the user's Create; exclude the type with `excludeResourceTypes: ['Custom::ConnectUser']`.
 *
 * Judged when the app synthesizes (a validation: after the tag aspect has run, before the
 * template is written), once.
 */
export class UserTags {
  private warned = false;
  /** The user's own tags when they are one token (a whole map unknown at synth). */
  private readonly token?: unknown;
  /** The user's own tags when they are a literal map (`{}` when none). */
  private readonly literal: TagMap;
  /** Whether the user has `tags` of its own (`{}` included: it is sent). */
  private readonly given: boolean;

  constructor(
    private readonly user: Construct,
    own: TagMap | undefined,
    private readonly scopes: TagManager,
    private readonly fn: lambda.IFunction,
  ) {
    const isToken = own !== undefined && Token.isUnresolved(own);
    this.token = isToken ? own : undefined;
    this.literal = isToken ? {} : (own ?? {});
    this.given = own !== undefined;
    user.node.addValidation({ validate: () => this.validate() });
  }

  /** The `Tags` property: own over the scope tags that fit; left out when there are none. */
  public wire(): unknown {
    if (this.token !== undefined) return this.token;
    const inherited = this.fitting();
    if (!this.given && Object.keys(inherited).length === 0) return undefined;
    return { ...inherited, ...this.literal };
  }

  private validate(): string[] {
    const errors = tagProblems(this.inherited(), 'tags of a scope (Tags.of)', true).map(
      (p) =>
        `${p.path} ${p.message}; Connect would refuse it on this user ` +
        "(exclude users with excludeResourceTypes: ['Custom::ConnectUser'])",
    );
    if (errors.length === 0 && !this.warned) {
      this.warned = true;
      this.warn();
    }
    return errors;
  }

  private warn(): void {
    const annotations = Annotations.of(this.user);
    if (this.token !== undefined && Object.keys(this.scopes.tagValues()).length > 0) {
      annotations.addWarningV2(
        'connect-user-resource-cdk:ConnectUser.scopeTagsWithTokenTags',
        'this user\'s tags are a token, so the tags of its scopes (Tags.of) cannot be added beneath them',
      );
      return;
    }
    const leftOut = this.leftOut();
    if (leftOut.length > 0) {
      annotations.addWarningV2(
        'connect-user-resource-cdk:ConnectUser.scopeTagsLeftOff',
        `this user's tags and its scopes' (Tags.of) come to more than the ${MAX_USER_TAGS} tags a user ` +
          `may carry: its own tags win, and the scope tags ${leftOut.join(', ')} are left off this user`,
      );
    }
    if (ConnectUserFunction.isConnectUserFunction(this.fn)) {
      const wire = this.wire();
      const sent = wire !== undefined && !Token.isUnresolved(wire) ? (wire as TagMap) : undefined;
      const defaultsLeftOff = defaultTagsLeftOff(sent, this.fn.defaultTags);
      if (defaultsLeftOff.length > 0) {
        annotations.addWarningV2(
          'connect-user-resource-cdk:ConnectUser.defaultTagsLeftOff',
          `this user's tags and ${this.fn.node.path}'s defaultTags come to more than the ${MAX_USER_TAGS} ` +
            `tags a user may carry: the function leaves off the defaults ${defaultsLeftOff.join(', ')} ` +
            '(its own tags win), with a warning in its log',
        );
      }
    }
  }

  /** The scope tags whose key the user does not set itself. */
  private inherited(): TagMap {
    return Object.fromEntries(Object.entries(this.scopes.tagValues()).filter(([key]) => !(key in this.literal)));
  }

  /** The inherited tags in the order they fill the budget. */
  private ordered(): string[] {
    return byUtf8(Object.keys(this.inherited()));
  }

  private room(): number {
    return Math.max(0, MAX_USER_TAGS - Object.keys(this.literal).length);
  }

  private fitting(): TagMap {
    const inherited = this.inherited();
    return Object.fromEntries(this.ordered().slice(0, this.room()).map((key) => [key, inherited[key]]));
  }

  private leftOut(): string[] {
    return this.ordered().slice(this.room());
  }
}

/**
 * The defaults the function leaves off a user sent `tags`: beyond the 49 tags a user may carry,
 * the tags it is sent win, and the defaults it is not sent fill what is left in key order (the
 * function's: keys compared by their UTF-8 bytes), the rest left off. None when a key is a token.
 */
export function defaultTagsLeftOff(tags: TagMap | undefined, defaults: TagMap | undefined): string[] {
  if (defaults === undefined || Token.isUnresolved(defaults) || Token.isUnresolved(tags)) return [];
  const own = Object.keys(tags ?? {});
  const keys = [...own, ...Object.keys(defaults)];
  if (keys.some((key) => Token.isUnresolved(key))) return [];
  const extra = byUtf8(Object.keys(defaults).filter((key) => !own.includes(key)));
  return extra.slice(Math.max(0, MAX_USER_TAGS - own.length));
}

/** Keys in the order of their UTF-8 bytes, as the function orders them. */
function byUtf8(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
