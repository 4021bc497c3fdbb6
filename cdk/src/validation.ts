import { Token } from 'aws-cdk-lib';

/**
 * Synth-time checks: only rules that are certain without asking AWS, on values known at synth
 * (a token, such as a parameter or another resource's attribute, is never judged). Everything
 * else the function checks when CloudFormation sends the properties, reporting every problem at
 * once (src/connect_user/properties/). Each rule here is also the function's: the cases in
 * test/rule-cases.json are run through both (test/rules.test.ts and tests/e2e/cdk_rules.rs).
 */

/** One problem with one prop, named by its path in `ConnectUserProps`. */
export interface PropProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * `name`: 1 to 64 characters from `[a-zA-Z0-9_.@-]`. CreateUser's `Username` (Amazon Connect
 * API reference, https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateUser.html):
 * "can include up to 64 characters from [a-zA-Z0-9_-.\@]+".
 *
 * With `password` (the user has a `passwordSecret`), also the rules of a name on an instance
 * whose identities Connect manages, the only instances whose users have a password (CreateUser's
 * `Password`: "A password is required if you are using Amazon Connect for identity management.
 * Otherwise, it is an error to include a password"): at most 20 characters ("For instances not
 * using SAML for identity management, the user name can include up to 20 characters") and `@`
 * only in an email format ([`isEmailUsername`]). The function checks these on Create and rename
 * (its `check_new_name`), as Connect does; without a password (SAML, existing directory: a
 * Salesforce Service Cloud Voice agent is `005Hs00000AbCdEIAZ@00DHs0000012345`) neither holds,
 * and the name is sent for Connect to decide. They are checked only on a name that passes the
 * first two, as the function does.
 */
export function nameProblems(name: string, path = 'name', password = false): PropProblem[] {
  if (Token.isUnresolved(name)) return [];
  const problems: PropProblem[] = [];
  const length = [...name].length;
  if (length < 1 || length > 64) {
    problems.push({ path, message: `must be 1 to 64 characters long (it is ${length})` });
  }
  if (!/^[A-Za-z0-9_.@-]*$/.test(name)) {
    problems.push({ path, message: 'may contain only letters, digits and _ . @ -' });
  }
  if (!password || problems.length > 0) return problems;
  if (length > MANAGED_USERNAME_CHARS) {
    problems.push({
      path,
      message:
        `must be at most ${MANAGED_USERNAME_CHARS} characters with a passwordSecret (it is ${length}): ` +
        'Connect allows more only with SAML, whose users have no password',
    });
  }
  if (name.includes('@') && !isEmailUsername(name)) {
    problems.push({
      path,
      message:
        'may contain @ only in an email format such as agent@example.com (one @, a domain with at least one dot)',
    });
  }
  return problems;
}

/**
 * How long a username may be on an instance whose identities Connect manages (CreateUser's
 * `Username`: "For instances not using SAML for identity management, the user name can include
 * up to 20 characters"); the function's `MANAGED_USERNAME_CHARS`.
 */
export const MANAGED_USERNAME_CHARS = 20;

/**
 * An email-format username, the only form in which a Connect-managed username may hold `@`
 * (CreateUser's `Username`: "Username can include @ only if used in an email format. For
 * example: Correct: testuser@example.com. Incorrect: testuser@example"). As the function holds
 * it (its `is_email_username`; AWS defines the format no further): one `@`, a non-empty local
 * part, and a domain of non-empty dot-separated labels with at least one dot, all of it in
 * `[a-zA-Z0-9_.-]`.
 */
export function isEmailUsername(name: string): boolean {
  const at = name.indexOf('@');
  if (at < 0) return false;
  const local = name.slice(0, at);
  const domain = name.slice(at + 1);
  const allowed = (part: string) => /^[A-Za-z0-9_.-]*$/.test(part);
  return (
    local !== '' &&
    allowed(local) &&
    allowed(domain) &&
    domain.includes('.') &&
    domain.split('.').every((label) => label !== '')
  );
}

/**
 * `securityProfileIds`: 1 to 10 of them. CreateUser's `SecurityProfileIds` (API reference
 * above): "Array Members: Minimum number of 1 item. Maximum number of 10 items."
 */
export function securityProfileProblems(ids: ReadonlyArray<string>, path = 'securityProfileIds'): PropProblem[] {
  // A list token (a CommaDelimitedList parameter, say) has no known length.
  if (Token.isUnresolved(ids)) return [];
  if (ids.length < 1 || ids.length > 10) {
    return [{ path, message: `must hold 1 to 10 security profiles (it holds ${ids.length})` }];
  }
  return [];
}

/** An id prop, or its name prop, with its path: one of a pair of alternatives. */
export interface Alternative {
  readonly path: string;
  readonly value: unknown;
}

/**
 * A pair of alternatives, an id prop and its name prop (`routingProfileId` and
 * `routingProfileName`, say), as the function reads `RoutingProfileId` and `RoutingProfileName`
 * (src/connect_user/properties/profiles.rs): given means present and not null, `''` included.
 * Both given is refused on the name prop, naming both; neither, when one is `required`, on the
 * id prop. A token may turn out absent (`Aws.NO_VALUE`), so a pair with a token is never held
 * to be both given.
 */
export function alternativeProblems(id: Alternative, name: Alternative, required: boolean): PropProblem[] {
  const idGiven = isGiven(id.value);
  const nameGiven = isGiven(name.value);
  if (idGiven && nameGiven) {
    if (Token.isUnresolved(id.value) || Token.isUnresolved(name.value)) return [];
    return [
      { path: name.path, message: `and ${id.path} are both given: they are alternatives, give one of them` },
    ];
  }
  if (required && !idGiven && !nameGiven) {
    return [{ path: id.path, message: `is required (or ${name.path}, its alternative)` }];
  }
  return [];
}

/** Whether both of a pair are given, neither a token ([`alternativeProblems`] refuses it). */
export function bothGiven(id: unknown, name: unknown): boolean {
  return isGiven(id) && isGiven(name) && !Token.isUnresolved(id) && !Token.isUnresolved(name);
}

/** Given, as the function reads a property: present and not null (`''` is given). */
function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * How long a routing profile name may be, in characters: model shape `RoutingProfileName`
 * (CreateRoutingProfile's `Name`), 1 to 127; the function's `ROUTING_PROFILE_NAME_CHARS`.
 */
export const MAX_ROUTING_PROFILE_NAME_CHARS = 127;

/**
 * `routingProfileName`: 1 to 127 characters (model shape `RoutingProfileName`). An empty name
 * is refused, as the function refuses an empty `RoutingProfileName` (it is not "none": a user
 * always has a routing profile).
 */
export function routingProfileNameProblems(name: string, path = 'routingProfileName'): PropProblem[] {
  if (Token.isUnresolved(name)) return [];
  const length = [...name].length;
  if (length < 1) return [{ path, message: 'must not be empty (a routing profile name has 1 to 127 characters)' }];
  if (length > MAX_ROUTING_PROFILE_NAME_CHARS) {
    return [{ path, message: `must be at most ${MAX_ROUTING_PROFILE_NAME_CHARS} characters (it is ${length})` }];
  }
  return [];
}

/**
 * `securityProfileNames`: 1 to 10 names (CreateUser's `SecurityProfileIds`, which they are
 * resolved to: 1 to 10 items), each non-empty, no two alike: a repeat is refused, as the
 * function refuses it (it most likely stands for a profile left out), where repeated ids
 * collapse. A list token, or a token name, is never judged.
 */
export function securityProfileNameProblems(
  names: ReadonlyArray<string>,
  path = 'securityProfileNames',
): PropProblem[] {
  if (Token.isUnresolved(names)) return [];
  if (names.length < 1 || names.length > 10) {
    return [{ path, message: `must hold 1 to 10 security profiles (it holds ${names.length})` }];
  }
  const problems: PropProblem[] = [];
  const seen = new Set<string>();
  names.forEach((name: unknown, i) => {
    if (Token.isUnresolved(name)) return;
    const at = `${path}[${i}]`;
    if (name === undefined || name === null || name === '' || typeof name === 'object') {
      problems.push({ path: at, message: 'must be a security profile name' });
      return;
    }
    const text = String(name);
    if (seen.has(text)) {
      problems.push({ path: at, message: `repeats the name ${JSON.stringify(text)}` });
    }
    seen.add(text);
  });
  return problems;
}

/**
 * A desk phone needs its number. The API reference gives `DeskPhoneNumber` and `PhoneNumber` no
 * "required" of their own (assumption, as the function's parser holds it: Connect refuses a
 * DESK_PHONE without a number; Terraform's aws_connect_user documents `desk_phone_number` as
 * "Required if phone_type is set as DESK_PHONE"). An empty string counts as absent, as in the
 * function (`""` is the usual `!If` idiom for "none").
 */
export function deskPhoneProblems(
  phoneType: string | undefined,
  number: string | undefined,
  path: string,
  typePath: string,
): PropProblem[] {
  if (phoneType === undefined || Token.isUnresolved(phoneType) || phoneType !== 'DESK_PHONE') return [];
  if (number === undefined || number === null || number === '') {
    return [{ path, message: `is required when ${typePath} is DESK_PHONE` }];
  }
  return [];
}

/**
 * The key of the tag the function keeps for itself on every user it manages (the function's
 * `OWNERSHIP_TAG`, src/connect_user/model): neither `tags` nor `defaultTags` may set it.
 */
export const RESERVED_TAG_KEY = 'connect-user-resource:created-by-request';

/**
 * Tags a user may carry besides the reserved one: Amazon Connect allows 50 per resource (Admin
 * Guide, "Add tags to resources in Amazon Connect"; the API model's `TagMap`: max 50 entries),
 * and one is the function's.
 */
export const MAX_USER_TAGS = 49;

/** Model shape `TagValue` (Amazon Connect API reference, TagResource `tags`): max 256. */
const MAX_TAG_VALUE_CHARS = 256;

/**
 * Why Amazon Connect refuses a tag key, if it does. Model shape `TagKey` (Amazon Connect API
 * reference, https://docs.aws.amazon.com/connect/latest/APIReference/API_TagResource.html):
 * 1 to 128 characters, pattern `^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`. The model's `aws:` is
 * case-sensitive, but AWS's tag naming rules reserve the prefix in any case (Tagging AWS
 * Resources user guide, "Tag naming limits and requirements"), as the function does. Then the
 * key the function keeps for itself.
 */
export function tagKeyProblem(key: string): string | undefined {
  const length = [...key].length;
  if (length < 1 || length > 128) return 'key must be 1 to 128 characters';
  if (key.toLowerCase().startsWith('aws:')) return 'key may not start with aws: (reserved by AWS)';
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key)) {
    return 'key may contain only letters, digits, spaces and _ . : / = + - @';
  }
  if (key === RESERVED_TAG_KEY) return `key ${RESERVED_TAG_KEY} is reserved by this resource`;
  return undefined;
}

/**
 * The problems of a tag map: each key (above) and each value (a string of at most 256
 * characters; `strictValues: false` lets other scalars through, as the function's `Tags` does,
 * which sends them as text). Each problem is named `<path>.<key>`, the key cut to 64 characters
 * as the function names it. A token key or value is never judged.
 */
export function tagProblems(
  tags: { readonly [key: string]: unknown },
  path: string,
  strictValues: boolean,
): PropProblem[] {
  if (Token.isUnresolved(tags)) return [];
  const problems: PropProblem[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (Token.isUnresolved(key)) continue;
    const at = `${path}.${[...key].slice(0, 64).join('')}`;
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) {
      problems.push({ path: at, message: keyProblem });
    } else if (typeof value === 'string') {
      if (!Token.isUnresolved(value) && [...value].length > MAX_TAG_VALUE_CHARS) {
        problems.push({ path: at, message: `value must be at most ${MAX_TAG_VALUE_CHARS} characters` });
      }
    } else if (strictValues || value === undefined || value === null || typeof value === 'object') {
      problems.push({ path: at, message: 'value must be a string' });
    }
  }
  return problems;
}

/**
 * `tags`: the rules of each tag, and at most 49 of them ([`MAX_USER_TAGS`]), as the function's
 * `Tags` (src/connect_user/properties/tags.rs).
 */
export function userTagProblems(tags: { readonly [key: string]: unknown }, path = 'tags'): PropProblem[] {
  if (Token.isUnresolved(tags)) return [];
  const problems = tagProblems(tags, path, false);
  const count = Object.keys(tags).length;
  if (count > MAX_USER_TAGS) {
    problems.push({ path, message: `may hold at most ${MAX_USER_TAGS} tags (it holds ${count})` });
  }
  return problems;
}

/**
 * `adoptExistingUser`: a boolean, or exactly the text `true` or `false`, as the function reads
 * `AdoptExistingUser` (CloudFormation sends every scalar as a string; another spelling, such as
 * `TRUE`, is refused there); `''` and `null` count as none, as there.
 */
export function adoptExistingUserProblems(value: unknown, path = 'adoptExistingUser'): PropProblem[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'boolean' || Token.isUnresolved(value)) return [];
  if (value === 'true' || value === 'false') return [];
  return [{ path, message: 'must be "true" or "false"' }];
}
