"""The same app as app.ts, in Python, with the package that jsii-pacmak built (run.sh)."""
import json
import os

import aws_cdk as cdk
from aws_cdk import aws_lambda, aws_secretsmanager
from connect_user_resource_cdk import (
    ConnectUser,
    ConnectUserFunction,
    IdentityInfo,
    PhoneConfig,
    PhoneType,
    ResponseMode,
)

zip_path = os.environ["FUNCTION_ZIP"]

app = cdk.App()
stack = cdk.Stack(app, "ConnectUsersOutside")

# Outside the repository there is no default code: the error says to pass `code`.
try:
    ConnectUserFunction(cdk.Stack(cdk.App(), "NoCode"), "Function")
except Exception as error:  # jsii raises the JavaScript error as a RuntimeError
    assert "Outside the connect-user-resource repository, pass `code`" in str(error), error
else:
    raise AssertionError("a ConnectUserFunction without code synthesized outside the repository")

code = aws_lambda.Code.from_asset(zip_path)
ConnectUserFunction.singleton(stack, code=code, architecture=aws_lambda.Architecture.X86_64)
instance_id = cdk.CfnParameter(stack, "InstanceId", allowed_pattern="[a-zA-Z0-9-]{1,100}").value_as_string
routing_profile_id = cdk.CfnParameter(stack, "RoutingProfileId").value_as_string
agent_profile_id = cdk.CfnParameter(stack, "AgentSecurityProfileId").value_as_string
supervisor_profile_id = cdk.CfnParameter(stack, "SupervisorSecurityProfileId").value_as_string
password = aws_secretsmanager.Secret(
    stack,
    "AgentPassword",
    generate_secret_string=aws_secretsmanager.SecretStringGenerator(
        secret_string_template=json.dumps({"username": "example"}, separators=(",", ":")),
        generate_string_key="password",
        password_length=24,
        require_each_included_type=True,
        exclude_characters="\"'\\ /@",
    ),
)


def agent(name, **more):
    props = dict(
        instance_id=instance_id,
        name=name,
        password_secret=password,
        identity_info=IdentityInfo(first_name="example", last_name="example2", email=f"{name}@example.com"),
        routing_profile_name="Basic Routing Profile",
        security_profile_names=["Agent"],
        phone_config=PhoneConfig(after_contact_work_time_limit=0, phone_type=PhoneType.SOFT_PHONE),
    )
    props.update(more)
    return {key: value for key, value in props.items() if value is not None}


ConnectUser(stack, "Basic", **agent("example", tags={"team": "support"}))
ConnectUser(stack, "Hierarchy", **agent("example-hierarchy", hierarchy_group_name="East"))
ConnectUser(stack, "Identity", **agent(
    "example-identity",
    identity_info=IdentityInfo(first_name="example", last_name="example2", email="example@example.com", mobile="+14255550100"),
))
ConnectUser(stack, "SoftPhone", **agent(
    "example-softphone",
    phone_config=PhoneConfig(after_contact_work_time_limit=0, auto_accept=True, phone_type=PhoneType.SOFT_PHONE),
))
ConnectUser(stack, "DeskPhone", **agent(
    "example-deskphone",
    routing_profile_name=None,
    security_profile_names=None,
    routing_profile_id=routing_profile_id,
    security_profile_ids=[agent_profile_id, supervisor_profile_id],
    phone_config=PhoneConfig(after_contact_work_time_limit=0, phone_type=PhoneType.DESK_PHONE, desk_phone_number="+12065550100"),
))

# Behind the Provider framework: a function in RETURN mode, whose answers the framework PUTs.
via_provider = ConnectUserFunction(
    stack, "ProviderFunction", code=code, architecture=aws_lambda.Architecture.X86_64, response_mode=ResponseMode.RETURN
)
ConnectUser(stack, "Supervisor", **agent(
    "supervisor",
    security_profile_names=["Agent", "CallCenterManager"],
    function=via_provider,
    service_timeout=cdk.Duration.minutes(15),
))

cdk.Tags.of(stack).add("CostCenter", "1234")
app.synth()
