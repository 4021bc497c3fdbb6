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
