"""The EventBridge rules of deploy/eventbridge.yaml against every fixture.

The template is rendered with cloud-radar (parameters, conditions, Fn::Sub / Fn::Join / Fn::If,
pseudo parameters), and each rule's EventPattern is evaluated by moto's implementation of
EventBridge pattern matching (moto.events.models.EventPattern). EXPECTED says, for every file in
fixtures/, which rules it must match: a fixture without a row fails the test. The optional
approver IAM user (CreateApproverUser) is checked the same way: its rendered policy, read by a
small IAM matcher (iam_allows), lets it continue deployments of the chosen clusters only.
"""

import copy
import functools
import json
import re
from pathlib import Path

import pytest
from cloud_radar.cf.unit import Template
from moto.events.models import EventPattern

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "eventbridge.yaml"
FIXTURES = ROOT / "fixtures"

# Parameters without defaults; the values do not change any pattern.
REQUIRED = {"Endpoint": "https://alerts.example.com/", "ApiKey": "0123456789abcdef0123456789abcdef"}

# Rule logical id -> short name used in EXPECTED.
D, S, T, H = "deployment", "service-action", "stopped-task", "hook"
RULES = {"DeploymentRule": D, "ServiceActionRule": S, "StoppedTaskRule": T, "HookRule": H}
NONE = ()

# fixture file: (rules it matches with the default parameters,
#                rules it matches with ClusterNames=prod-cluster)
EXPECTED = {
    "ecs-deployment-completed.json": ((D,), NONE),
    "ecs-deployment-failed-account-mapped-unknown-fields.json": ((D,), NONE),
    "ecs-deployment-failed-checkout.json": ((D,), (D,)),
    "ecs-deployment-failed-aws-cn.json": ((D,), NONE),
    "ecs-deployment-failed-aws-us-gov.json": ((D,), NONE),
    "ecs-deployment-failed-formatting.json": ((D,), NONE),
    "ecs-deployment-failed-long-reason.json": ((D,), NONE),  # cluster "prod", not "prod-cluster"
    "ecs-deployment-failed-mentions-and-links.json": ((D,), NONE),
    "ecs-deployment-failed-production.json": ((D,), (D,)),
    "ecs-deployment-failed-short-arn-staging.json": ((D,), NONE),  # clusterArn .../cluster/apps
    "ecs-deployment-failed-slack-injection.json": ((D,), NONE),
    "ecs-deployment-failed.json": ((D,), NONE),
    "ecs-deployment-in-progress.json": ((D,), NONE),
    "ecs-deployment-rollback-in-progress.json": ((D,), NONE),
    "ecs-deployment-rollback-started.json": ((D,), (D,)),
    "ecs-deployment-rollback-completed.json": ((D,), (D,)),
    "ecs-deployment-rollback-failed.json": ((D,), (D,)),
    "ecs-deployment-failed-alarm.json": ((D,), (D,)),
    "ecs-deployment-failed-hook.json": ((D,), (D,)),
    "ecs-deployment-failed-pause-rollback.json": ((D,), (D,)),
    "ecs-deployment-rollback-alarm.json": ((D,), (D,)),
    "ecs-deployment-rollback-alarm-completed.json": ((D,), (D,)),
    "ecs-hook-lambda-failed.json": ((H,), (H,)),
    "ecs-hook-lambda-in-progress.json": ((H,), (H,)),  # the component leaves out hook_progress
    "ecs-hook-lambda-succeeded.json": ((H,), (H,)),
    "ecs-hook-pause-step-1-awaiting.json": ((H,), (H,)),
    "ecs-hook-pause-step-1-continued.json": ((H,), (H,)),
    "ecs-hook-pause-step-2-awaiting.json": ((H,), (H,)),
    "ecs-hook-pause-step-2-rolled-back.json": ((H,), (H,)),
    "ecs-hook-pause-step-2-timed-out.json": ((H,), (H,)),
    "ecs-hook-slack-injection.json": ((H,), (H,)),
    "ecs-service-action-deployment-failed.json": ((S,), (S,)),  # the component answers covered
    "ecs-service-action-health-unknown.json": ((S,), (S,)),
    "ecs-service-action-lattice-unhealthy.json": ((S,), (S,)),
    "ecs-hook-awaiting-action.json": ((H,), NONE),  # cluster "my-cluster"
    "ecs-hook-awaiting-action-no-resources.json": ((H,), NONE),  # no resources, cluster "my-cluster"
    "ecs-service-action-placement-failure.json": ((S,), NONE),  # ERROR, cluster "default"
    "ecs-service-action-steady-state.json": (NONE, NONE),  # INFO
    "ecs-service-action-task-start-impaired.json": ((S,), NONE),  # WARN, cluster "default"
    "ecs-task-running.json": (NONE, NONE),
    "ecs-task-stopped-cannot-start.json": ((T,), (T,)),
    "ecs-task-stopped-container-health.json": ((T,), (T,)),
    "ecs-task-stopped-exit-code.json": ((T,), (T,)),
    "ecs-task-stopped-health-check.json": ((T,), (T,)),
    "ecs-task-stopped-other-deployment.json": ((T,), (T,)),  # the component sorts deployments out
    "ecs-task-stopped-out-of-memory.json": ((T,), (T,)),
    "ecs-task-stopped-pull-error.json": ((T,), (T,)),
    "ecs-task-stopped-pull-error-2.json": ((T,), (T,)),
    "ecs-task-stopped-resource-initialization.json": ((T,), (T,)),
    "ecs-task-stopped-scale-in.json": (NONE, NONE),
    "ecs-task-stopped-segfault.json": ((T,), (T,)),
    "ecs-task-stopped-sidecar-exit-0.json": ((T,), (T,)),
    "ecs-task-stopped-sigkill.json": ((T,), (T,)),
    "ecs-task-stopped-sigterm.json": ((T,), (T,)),
    "ecs-task-stopped-spot.json": ((T,), (T,)),
    "ecs-task-stopped-standalone.json": (NONE, NONE),  # startedBy ci-migrations, not a service
    "ecs-task-stopped-unknown-cause.json": ((T,), (T,)),
    "s3-object-created.json": (NONE, NONE),
}
MODES = {"defaults": {}, "ClusterNames=prod-cluster": {"ClusterNames": "prod-cluster"}}


@functools.lru_cache(maxsize=None)
def render(**params):
    """The template rendered with REQUIRED plus params (hashable keyword arguments)."""
    return Template.from_yaml(TEMPLATE).render({**REQUIRED, **params})


def patterns(**params):
    """Rule short name -> moto EventPattern, for the rules the rendered template creates."""
    resources = render(**params)["Resources"]
    out = {}
    for logical_id, short in RULES.items():
        if logical_id not in resources:
            continue
        pattern = resources[logical_id]["Properties"]["EventPattern"]
        text = pattern if isinstance(pattern, str) else json.dumps(pattern)
        json.loads(text)  # must be valid JSON, which EventPattern.load also checks
        out[short] = EventPattern.load(text)
    return out


def matching(event, **params):
    return tuple(sorted(name for name, p in patterns(**params).items() if p.matches_event(event)))


def load(name):
    return json.loads((FIXTURES / name).read_text())


FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.json"))


def test_every_fixture_has_a_row_and_every_row_a_fixture():
    missing = sorted(set(FIXTURE_FILES) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(FIXTURE_FILES))
    assert not missing, (
        f"fixtures without a row in EXPECTED (tests/aws/test_patterns.py): {missing}; "
        "add one line per fixture saying which rules it must match"
    )
    assert not stale, f"rows in EXPECTED for fixtures that do not exist: {stale}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_matches_exactly_its_rules(name, mode):
    if name not in EXPECTED:
        pytest.fail(f"fixtures/{name} has no row in EXPECTED (tests/aws/test_patterns.py): add one")
    expected = EXPECTED[name][list(MODES).index(mode)]
    assert matching(load(name), **MODES[mode]) == tuple(sorted(expected)), f"{name} with {mode}"


def test_several_cluster_names():
    two = {"ClusterNames": "prod-cluster,apps"}
    # Old-format service ARN (service/payments-stg): only detail.clusterArn names the cluster.
    assert matching(load("ecs-deployment-failed-short-arn-staging.json"), **two) == (D,)
    assert matching(load("ecs-deployment-failed-production.json"), **two) == (D,)
    assert matching(load("ecs-task-stopped-exit-code.json"), **two) == (T,)
    assert matching(load("ecs-deployment-failed.json"), **two) == NONE


def test_a_cluster_name_matches_whole_names_only():
    prod = {"ClusterNames": "prod"}
    assert matching(load("ecs-deployment-failed-long-reason.json"), **prod) == (D,)  # service/prod/...
    assert matching(load("ecs-deployment-failed-production.json"), **prod) == NONE  # prod-cluster
    assert matching(load("ecs-task-stopped-exit-code.json"), **prod) == NONE
    cluster = {"ClusterNames": "cluster"}  # a suffix of prod-cluster, and the ARN's own word
    assert matching(load("ecs-deployment-failed-production.json"), **cluster) == NONE
    assert matching(load("ecs-task-stopped-exit-code.json"), **cluster) == NONE


def test_either_branch_of_the_deployment_cluster_filter_matches():
    prod = {"ClusterNames": "prod-cluster"}
    event = load("ecs-deployment-failed-production.json")

    no_cluster_arn = copy.deepcopy(event)  # older events: only the service ARN
    del no_cluster_arn["detail"]["clusterArn"]
    assert matching(no_cluster_arn, **prod) == (D,)

    old_format_arn = copy.deepcopy(event)  # service/NAME: only detail.clusterArn
    old_format_arn["resources"] = ["arn:aws:ecs:eu-west-1:111122223333:service/checkout-api"]
    assert matching(old_format_arn, **prod) == (D,)

    neither = copy.deepcopy(old_format_arn)  # cannot be attributed to a cluster: left out
    del neither["detail"]["clusterArn"]
    assert matching(neither, **prod) == NONE
    assert matching(neither) == (D,)


def test_service_actions_are_filtered_by_cluster_arn():
    event = load("ecs-service-action-placement-failure.json")
    event["detail"]["clusterArn"] = "arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster"
    assert matching(event, ClusterNames="prod-cluster") == (S,)
    assert matching(event, ClusterNames="default") == NONE


def test_stopped_tasks_can_be_turned_off():
    off = render(SendStoppedTasks="false")["Resources"]
    assert "StoppedTaskRule" not in off
    assert set(patterns(SendStoppedTasks="false")) == {D, S, H}
    source_arns = off["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0][
        "Condition"]["ArnEquals"]["aws:SourceArn"]
    assert "StoppedTaskRule.Arn" not in source_arns
    for name in sorted(set(FIXTURE_FILES) & set(EXPECTED)):
        defaults = EXPECTED[name][0]
        assert matching(load(name), SendStoppedTasks="false") == tuple(
            sorted(r for r in defaults if r != T)), name


def test_targets_retry_and_dead_letter():
    resources = render()["Resources"]
    destination = {D: "AlertsDestination", S: "AlertsDestination", T: "StoppedTasksDestination",
                   H: "AlertsDestination"}
    for logical_id, short in RULES.items():
        (target,) = resources[logical_id]["Properties"]["Targets"]
        assert target["Arn"] == f"{destination[short]}.Arn", logical_id
        assert target["RoleArn"] == "InvokeRole.Arn"
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
        assert target["DeadLetterConfig"] == {"Arn": "DeadLetterQueue.Arn"}

    alerts = resources["AlertsDestination"]["Properties"]
    tasks = resources["StoppedTasksDestination"]["Properties"]
    assert (alerts["HttpMethod"], int(alerts["InvocationRateLimitPerSecond"])) == ("POST", 1)
    assert (tasks["HttpMethod"], int(tasks["InvocationRateLimitPerSecond"])) == ("POST", 20)
    assert alerts["ConnectionArn"] == tasks["ConnectionArn"] == "Connection.Arn"

    connection = resources["Connection"]["Properties"]
    assert connection["AuthorizationType"] == "API_KEY"
    assert connection["AuthParameters"]["ApiKeyAuthParameters"] == {
        "ApiKeyName": "x-api-key", "ApiKeyValue": REQUIRED["ApiKey"]}

    (statement,) = resources["InvokeRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "events:InvokeApiDestination"
    assert {r.split(".")[0] for r in statement["Resource"]} == {"AlertsDestination", "StoppedTasksDestination"}

    assert resources["DeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True
    (dlq,) = resources["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert dlq["Principal"] == {"Service": "events.amazonaws.com"}
    assert dlq["Action"] == "sqs:SendMessage"
    assert dlq["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        "DeploymentRule.Arn", "ServiceActionRule.Arn", "StoppedTaskRule.Arn", "HookRule.Arn"]


def test_hook_events_can_be_turned_off():
    off = render(SendHookEvents="false")["Resources"]
    assert "HookRule" not in off
    assert "HookRule" in render()["Resources"]
    assert set(patterns(SendHookEvents="false")) == {D, S, T}
    source_arns = off["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0][
        "Condition"]["ArnEquals"]["aws:SourceArn"]
    assert "HookRule.Arn" not in source_arns
    for name in sorted(set(FIXTURE_FILES) & set(EXPECTED)):
        defaults = EXPECTED[name][0]
        assert matching(load(name), SendHookEvents="false") == tuple(
            sorted(r for r in defaults if r != H)), name


def test_hook_events_are_filtered_by_cluster_arn():
    event = load("ecs-hook-awaiting-action.json")
    assert matching(event, ClusterNames="my-cluster") == (H,)
    assert matching(event, ClusterNames="prod-cluster,my-cluster") == (H,)
    assert matching(event, ClusterNames="cluster") == NONE  # a suffix of the name, not the name
    no_cluster_arn = copy.deepcopy(event)  # the service-deployment ARN alone does not count
    del no_cluster_arn["detail"]["clusterArn"]
    assert matching(no_cluster_arn, ClusterNames="my-cluster") == NONE
    assert matching(no_cluster_arn) == (H,)


def rule_arn(resources, logical_id, params):
    """The ARN EventBridge gives a rule of the default bus, from its rendered Name."""
    name = resources[logical_id]["Properties"]["Name"]
    assert name and len(name) <= 64, (logical_id, name)
    return f"arn:{params['partition']}:events:{params['region']}:{params['account']}:rule/{name}"


TRUST_MODES = {
    "defaults": {},
    "no stopped tasks": {"SendStoppedTasks": "false"},
    "no hooks": {"SendHookEvents": "false"},
    "neither": {"SendStoppedTasks": "false", "SendHookEvents": "false"},
}


@pytest.mark.parametrize("mode", TRUST_MODES)
def test_the_role_trusts_only_this_stacks_rules_in_this_account(mode):
    # Confused-deputy guard: EventBridge may assume the role only for this stack's rules (the
    # rule ARN is aws:SourceArn for rule targets) in this account. The rules reference the role,
    # so the ARNs are built from the rules' explicit names, never from GetAtt (a cycle).
    template = Template.from_yaml(TEMPLATE)
    rendered = template.render({**REQUIRED, **TRUST_MODES[mode]})
    resources = rendered["Resources"]
    params = {"partition": template.Partition, "region": template.Region,
              "account": template.AccountId}
    stack = template.StackName

    (statement,) = resources["InvokeRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    condition = statement["Condition"]
    assert set(condition) == {"StringEquals", "ArnEquals"}
    assert condition["StringEquals"] == {"aws:SourceAccount": params["account"]}
    # cloud-radar renders an !If branch of AWS::NoValue in a list as template.NoValue (""), where
    # CloudFormation drops the entry.
    trusted = [arn for arn in condition["ArnEquals"]["aws:SourceArn"] if arn != template.NoValue]

    # Exactly the rendered rules, each by the ARN its Name gives it, all of them this stack's.
    rules = [logical_id for logical_id in RULES if logical_id in resources]
    expected = sorted(rule_arn(resources, logical_id, params) for logical_id in rules)
    assert sorted(trusted) == expected
    prefix = f"arn:{params['partition']}:events:{params['region']}:{params['account']}:rule/{stack}-"
    assert all(arn.startswith(prefix) for arn in trusted), trusted
    # Every rule whose targets use the role is one of them.
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Events::Rule":
            assert logical_id in rules, logical_id
            assert {t["RoleArn"] for t in resource["Properties"]["Targets"]} == {"InvokeRole.Arn"}


def test_rule_names_fit_the_promised_stack_name_length():
    # A rule name has at most 64 characters; the template's Description promises that a stack
    # name of 53 fits. Every rule is named STACKNAME-suffix, each suffix its own.
    suffixes = []
    for resource in Template.from_yaml(TEMPLATE).template["Resources"].values():
        if resource["Type"] != "AWS::Events::Rule":
            continue
        name = resource["Properties"]["Name"]
        sub = name["Fn::Sub"] if isinstance(name, dict) else name
        assert sub.startswith("${AWS::StackName}-"), sub
        suffixes.append(sub[len("${AWS::StackName}"):])
    assert len(suffixes) == len(RULES)
    assert len(set(suffixes)) == len(suffixes), suffixes
    assert 53 + max(len(s) for s in suffixes) <= 64


def test_outputs():
    outputs = render()["Outputs"]
    assert outputs["AlertsDestinationArn"]["Value"] == "AlertsDestination.Arn"
    assert outputs["StoppedTasksDestinationArn"]["Value"] == "StoppedTasksDestination.Arn"
    assert outputs["DeadLetterQueueUrl"]["Value"] == "DeadLetterQueue"  # Ref: the queue URL
    command = outputs["ReadDeadLettersCommand"]["Value"]
    assert command.startswith("aws sqs receive-message ")
    for part in ("--queue-url DeadLetterQueue", "--attribute-names All",
                 "--message-attribute-names All", "--max-number-of-messages 10"):
        assert part in command


@pytest.mark.parametrize("names", ['prod"cluster', "prod/cluster", "a:b", "x*"])
def test_cluster_names_cannot_break_out_of_the_pattern(names):
    # Names are pasted into JSON strings, so ClusterNames' AllowedPattern admits only what an ECS
    # cluster name may hold (letters, digits, - and _); cloud-radar enforces it like CloudFormation.
    with pytest.raises(ValueError):
        Template.from_yaml(TEMPLATE).render({**REQUIRED, "ClusterNames": f"prod-cluster,{names}"})


def test_every_parameter_is_in_one_parameter_group():
    template = Template.from_yaml(TEMPLATE).template
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    grouped = [name for group in groups for name in group["Parameters"]]
    assert sorted(grouped) == sorted(template["Parameters"])
    assert ["CreateApproverUser"] in [group["Parameters"] for group in groups]


APPROVER_OFF = {"defaults": {}, "CreateApproverUser=false": {"CreateApproverUser": "false"}}


@pytest.mark.parametrize("mode", APPROVER_OFF)
def test_no_approver_user_unless_asked_for(mode):
    parameter = Template.from_yaml(TEMPLATE).template["Parameters"]["CreateApproverUser"]
    assert (parameter["Default"], sorted(parameter["AllowedValues"])) == ("false", ["false", "true"])
    rendered = render(**APPROVER_OFF[mode])
    assert "ApproverUser" not in rendered["Resources"]
    assert not [r for r in rendered["Resources"].values() if r["Type"].startswith("AWS::IAM::User")]
    assert "ApproverUserName" not in rendered["Outputs"]


def iam_wildcard(pattern):
    """An IAM Resource entry as a regex: * is any run of characters (colons too), ? any one."""
    return re.compile("".join({"*": ".*", "?": "."}.get(c) or re.escape(c) for c in pattern) + r"\Z")


def iam_allows(statement, arn, requested_region):
    """Whether an Allow statement covers arn for a call made in requested_region. The only
    condition this template uses is StringEquals on aws:RequestedRegion."""
    matched = any(iam_wildcard(r).match(arn) for r in statement["Resource"])
    context = {"aws:RequestedRegion": requested_region}
    conditions = statement.get("Condition", {})
    assert set(conditions) <= {"StringEquals"}, conditions
    return matched and all(context[key] == value
                           for key, value in conditions.get("StringEquals", {}).items())


def approver_statement(**params):
    """The approver user's one policy statement, rendered with CreateApproverUser=true."""
    resources = render(CreateApproverUser="true", **params)["Resources"]
    users = {k: r for k, r in resources.items() if r["Type"] == "AWS::IAM::User"}
    assert list(users) == ["ApproverUser"]
    properties = users["ApproverUser"]["Properties"]
    assert set(properties) == {"Policies"}  # no groups, managed policies, login profile
    (policy,) = properties["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert set(statement) == {"Effect", "Action", "Resource", "Condition"}  # no Not*
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "ecs:ContinueServiceDeployment"  # one action, no wildcard
    return statement


def ecs_arn(kind, path, region=Template.Region, account=Template.AccountId, partition="aws"):
    return f"arn:{partition}:ecs:{region}:{account}:{kind}/{path}"


# ClusterNames -> the Resource entries of the approver user's statement. A generated entry can
# hold a cluster name but not the partition, region or account (see the template); the
# condition pins the region, and the account and partition are the user's own.
APPROVER_RESOURCES = {
    "": [f"arn:aws:ecs:{Template.Region}:{Template.AccountId}:service/*",
         f"arn:aws:ecs:{Template.Region}:{Template.AccountId}:service-deployment/*"],
    "prod-cluster": ["arn:*:ecs:*:*:service/prod-cluster/*",
                     "arn:*:ecs:*:*:service-deployment/prod-cluster/*/*"],
    "prod-cluster,apps": ["arn:*:ecs:*:*:service/prod-cluster/*", "arn:*:ecs:*:*:service/apps/*",
                          "arn:*:ecs:*:*:service-deployment/prod-cluster/*/*",
                          "arn:*:ecs:*:*:service-deployment/apps/*/*"],
}


@pytest.mark.parametrize("names", APPROVER_RESOURCES)
def test_the_approver_user_may_only_continue_deployments_of_the_chosen_clusters(names):
    statement = approver_statement(**({"ClusterNames": names} if names else {}))
    assert sorted(statement["Resource"]) == sorted(APPROVER_RESOURCES[names])
    assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": Template.Region}}

    # The paused deployment of a fixture, and its service, as if in this stack's account and region.
    detail = load("ecs-hook-pause-step-1-awaiting.json")["detail"]
    here = [re.sub(r"^(arn:aws:ecs):[^:]+:[^:]+:", rf"\1:{Template.Region}:{Template.AccountId}:", arn)
            for arn in (detail["serviceArn"], detail["serviceDeploymentArn"])]
    assert here[1].startswith(ecs_arn("service-deployment", "prod-cluster/checkout-api/"))
    chosen = names.split(",") if names else ["prod-cluster", "apps", "default"]
    for cluster in chosen:
        for arn in (ecs_arn("service", f"{cluster}/web"),
                    ecs_arn("service-deployment", f"{cluster}/web/Qm3kT9vZx2LpR8wYc4NbE"),
                    *[a.replace("/prod-cluster/", f"/{cluster}/") for a in here]):
            assert iam_allows(statement, arn, Template.Region), arn
            assert not iam_allows(statement, arn, "eu-west-1"), arn  # another region
    for other in ("prod", "prod-cluster-2", "cluster", "pps"):  # not chosen unless every one is
        for arn in (ecs_arn("service", f"{other}/web"),
                    ecs_arn("service-deployment", f"{other}/web/Qm3kT9vZx2LpR8wYc4NbE")):
            assert iam_allows(statement, arn, Template.Region) == (not names), arn
    for cluster in chosen:  # other resource types of the chosen clusters
        for arn in (ecs_arn("cluster", cluster), ecs_arn("task", f"{cluster}/0123456789abcdef"),
                    ecs_arn("service-revision", f"{cluster}/web/4980306466373577095"),
                    ecs_arn("task-set", f"{cluster}/web/ecs-svc/1234567890123456789")):
            assert not iam_allows(statement, arn, Template.Region), arn
    if not names:  # every cluster: this account and partition's, old-format service ARNs too
        assert iam_allows(statement, ecs_arn("service", "web"), Template.Region)
        assert not iam_allows(statement, ecs_arn("service", "p/web", account="111122223333"),
                              Template.Region)
        assert not iam_allows(statement, ecs_arn("service", "p/web", partition="aws-cn"),
                              Template.Region)


def test_the_approver_user_name_is_an_output_and_its_key_is_made_by_hand():
    raw = Template.from_yaml(TEMPLATE).template
    assert raw["Resources"]["ApproverUser"]["Condition"] == "ApproverUserOn"
    assert raw["Outputs"]["ApproverUserName"]["Condition"] == "ApproverUserOn"
    assert raw["Outputs"]["ApproverUserName"]["Value"] == {"Ref": "ApproverUser"}

    output = render(CreateApproverUser="true")["Outputs"]["ApproverUserName"]
    assert output["Value"] == "ApproverUser"  # Ref: the user's name
    for part in ("aws iam create-access-key --user-name", "aws_access_key_id",
                 "aws_secret_access_key"):
        assert part in output["Description"], part


@pytest.mark.parametrize("params", [{}, {"CreateApproverUser": "true"},
                                    {"CreateApproverUser": "true", "ClusterNames": "prod-cluster"}])
def test_no_access_key_and_no_secret_in_any_output(params):
    # The secret must never sit in CloudFormation: no AWS::IAM::AccessKey (under any condition),
    # and no output's value that is, or reaches for, a secret access key (a GetAtt of
    # SecretAccessKey, or any Ref or GetAtt of an access key).
    raw = Template.from_yaml(TEMPLATE).template
    rendered = render(**params)
    for template in (raw, rendered):
        types = {logical_id: r["Type"] for logical_id, r in template["Resources"].items()}
        assert "AWS::IAM::AccessKey" not in types.values()
        for name, output in template["Outputs"].items():
            value = json.dumps(output["Value"])
            assert "SecretAccessKey" not in value and "AccessKey" not in value, name
            refs = re.findall(r'"(?:Ref|Fn::GetAtt)": \[?"([^".]+)', value)
            assert not [r for r in refs if types.get(r) == "AWS::IAM::AccessKey"], name
    assert "SecretAccessKey" not in json.dumps(raw["Resources"])
