import { Token } from 'aws-cdk-lib';

/**
 * Synth-time checks: only rules that are certain without asking AWS, on values known at synth
 * (a token, such as a parameter or another resource's attribute, is never judged). Everything
 * else the function checks when CloudFormation sends the properties, reporting every problem at
 * once (src/connect_user/properties.rs). Each rule here is also the function's: the cases in
 * test/rule-cases.json are run through both (test/rules.test.ts and tests/cdk_rules.rs).
 */

/** One problem with one prop, named by its path in `ConnectUserProps`. */
export interface PropProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * `name`: 1 to 64 characters from `[a-zA-Z0-9_.@-]`. CreateUser's `Username` (Amazon Connect
 * API reference, https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateUser.html):
 * "can include up to 64 characters from [a-zA-Z0-9_-.\@]+" (20 on instances not using SAML,
 * which the construct cannot know).
 */
export function nameProblems(name: string, path = 'name'): PropProblem[] {
  if (Token.isUnresolved(name)) return [];
  const problems: PropProblem[] = [];
  const length = [...name].length;
  if (length < 1 || length > 64) {
    problems.push({ path, message: `must be 1 to 64 characters long (it is ${length})` });
  }
  if (!/^[A-Za-z0-9_.@-]*$/.test(name)) {
    problems.push({ path, message: 'may contain only letters, digits and _ . @ -' });
  }
  return problems;
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
