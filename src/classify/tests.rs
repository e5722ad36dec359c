//! Classification of every fixture and of hostile values: each event becomes one fact.

use super::*;
use crate::event::parse_envelope;

pub(super) const FAILED: &str = include_str!("../../fixtures/ecs-deployment-failed.json");
const NOW: u64 = 1_795_737_600;

pub(super) fn classify_str(body: &str) -> Result<Fact<'static>, Error> {
    let environments = Box::leak(Box::new(EnvironmentResolver::default()));
    let body: &'static str = Box::leak(body.to_owned().into_boxed_str());
    classify(parse_envelope(body.as_bytes())?, environments, NOW)
}

pub(super) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub(super) fn failure_of(body: &str) -> Deployment<'static> {
    match classify_str(body).unwrap() {
        Fact::DeploymentFailed(deployment) => deployment,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_documented_failure() {
    let failure = failure_of(FAILED);
    assert_eq!(failure.event_id, "ddca6449-b258-46c0-8653-e0e3aEXAMPLE");
    assert_eq!(failure.time, "2020-05-23T11:11:11Z");
    assert_eq!(failure.service.account.as_str(), "111122223333");
    assert_eq!(failure.service.region.as_str(), "us-west-2");
    assert_eq!(failure.service.cluster.as_deref(), Some("default"));
    assert_eq!(failure.service.name, "servicetest");
    assert_eq!(failure.deployment_id.as_deref(), Some("ecs-svc/123"));
    assert_eq!(failure.service.environment, "unknown");
    assert_eq!(
        failure.service.console_url().as_deref(),
        Some(
            "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/services/servicetest/deployments?region=us-west-2"
        )
    );
}

#[test]
fn short_arns_take_the_cluster_from_cluster_arn() {
    let body = FAILED
        .replace("service/default/servicetest", "service/api-prod")
        .replace(
            "\"eventType\"",
            "\"clusterArn\": \"arn:aws:ecs:us-west-2:111122223333:cluster/main\", \"eventType\"",
        );
    let failure = failure_of(&body);
    assert_eq!(failure.service.cluster.as_deref(), Some("main"));
    assert_eq!(failure.service.name, "api-prod");
    assert_eq!(failure.service.environment, "production");
    let unknown = failure_of(&FAILED.replace("service/default/servicetest", "service/web"));
    assert_eq!(unknown.service.cluster, None);
    assert!(
        unknown
            .service
            .console_url()
            .unwrap()
            .ends_with("/ecs/v2/clusters?region=us-west-2")
    );
}

#[test]
fn deployment_states_and_rollbacks() {
    let kind = |body: &str| match classify_str(body).unwrap() {
        Fact::DeploymentStarted(_) => "started".to_owned(),
        Fact::RollbackStarted { target, .. } => format!("rollback to {target:?}"),
        Fact::DeploymentCompleted(_) => "completed".to_owned(),
        Fact::DeploymentFailed(_) => "failed".to_owned(),
        other => format!("{other:?}"),
    };
    assert_eq!(kind(&fixture("ecs-deployment-in-progress.json")), "started");
    assert_eq!(kind(&fixture("ecs-deployment-completed.json")), "completed");
    // The documentation's sample names no real deployment.
    assert_eq!(
        kind(&fixture("ecs-deployment-rollback-in-progress.json")),
        "rollback to None"
    );
    let reason = |text: &str| {
        FAILED
            .replace(
                "SERVICE_DEPLOYMENT_FAILED",
                "SERVICE_DEPLOYMENT_IN_PROGRESS",
            )
            .replace(
                "ECS deployment circuit breaker: task failed to start.",
                text,
            )
    };
    for (text, expected) in [
        (
            "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/987.",
            "rollback to Some(\"ecs-svc/987\")",
        ),
        (
            "ECS Deployment Circuit Breaker: ROLLING BACK TO DEPLOYMENTID ecs-svc/55",
            "rollback to Some(\"ecs-svc/55\")",
        ),
        ("rolling back to deploymentId", "rollback to None"),
        (
            "rolling back to deploymentId ecs-svc/<x>",
            "rollback to None",
        ),
        ("ECS deployment ecs-svc/1 in progress.", "started"),
    ] {
        assert_eq!(kind(&reason(text)), expected, "{text}");
    }
}

#[test]
fn stopped_tasks_carry_their_cause() {
    let task = |name: &str| match classify_str(&fixture(name)).unwrap() {
        Fact::StoppedTask(task) => task,
        other => panic!("{name}: {other:?}"),
    };
    let exit = task("ecs-task-stopped-exit-code.json");
    assert_eq!(exit.deployment, "ecs-svc/4829135026487120563");
    assert_eq!(exit.cluster.as_deref(), Some("prod-cluster"));
    assert_eq!(exit.task_definition.as_deref(), Some("checkout-api:42"));
    assert_eq!(exit.cause.container.as_deref(), Some("app"));
    assert_eq!(exit.cause.exit_code, Some(1));
    assert_eq!(
        exit.cause.reason.as_deref(),
        Some("Essential container in task exited")
    );
    let pull = task("ecs-task-stopped-pull-error.json");
    assert_eq!(pull.cause.exit_code, None);
    assert!(
        pull.cause
            .reason
            .unwrap()
            .starts_with("CannotPullContainerError")
    );
    assert!(pull.image.unwrap().ends_with(":v2.4.1-typo"));
    let oom = task("ecs-task-stopped-out-of-memory.json");
    assert_eq!(oom.cause.exit_code, Some(137));
    assert!(oom.cause.reason.unwrap().starts_with("OutOfMemoryError"));
    let health = task("ecs-task-stopped-health-check.json");
    assert!(
        health
            .cause
            .reason
            .unwrap()
            .starts_with("Task failed ELB health checks")
    );
    // The sidecar that exited 0 is not the cause; the app is.
    let sidecar = task("ecs-task-stopped-sidecar-exit-0.json");
    assert_eq!(sidecar.cause.container.as_deref(), Some("app"));
    assert_eq!(sidecar.cause.exit_code, Some(1));
    let other = task("ecs-task-stopped-other-deployment.json");
    assert_eq!(other.deployment, "ecs-svc/1111111111111111111");
    // stoppedAt 2025-11-25T14:51:52.880Z.
    assert_eq!(
        task("ecs-task-stopped-exit-code.json").stopped_at,
        1_764_082_312
    );
}

#[test]
fn tasks_that_explain_nothing_are_ignored() {
    for name in [
        "ecs-task-stopped-scale-in.json",
        "ecs-task-running.json",
        "ecs-task-stopped-standalone.json",
    ] {
        assert!(
            matches!(classify_str(&fixture(name)), Ok(Fact::Ignored { .. })),
            "{name}"
        );
    }
}

#[test]
fn service_actions_by_level() {
    match classify_str(&fixture("ecs-service-action-placement-failure.json")).unwrap() {
        Fact::ServiceAction(action) => {
            assert_eq!(action.level, Level::Error);
            assert_eq!(action.name, "SERVICE_TASK_PLACEMENT_FAILURE");
            assert_eq!(action.reason.as_deref(), Some("RESOURCE:FARGATE"));
            assert_eq!(action.service.cluster.as_deref(), Some("default"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        classify_str(&fixture("ecs-service-action-task-start-impaired.json")),
        Ok(Fact::ServiceAction(Action {
            level: Level::Warn,
            ..
        }))
    ));
    assert!(matches!(
        classify_str(&fixture("ecs-service-action-steady-state.json")),
        Ok(Fact::Ignored { .. })
    ));
}

#[test]
fn other_events_are_ignored_without_reading_their_detail() {
    let body = r#"{"id":"1","detail-type":"Object Created","source":"aws.s3","account":"x",
        "region":"y","time":"z","detail":{"eventName":42}}"#;
    assert!(matches!(classify_str(body), Ok(Fact::Ignored { .. })));
    let other_ecs = FAILED.replace(
        "ECS Deployment State Change",
        "ECS Container Instance State Change",
    );
    assert!(matches!(classify_str(&other_ecs), Ok(Fact::Ignored { .. })));
}

#[test]
fn bad_identity_fields_are_named() {
    let cases = [
        (FAILED.replace("\"111122223333\"", "\"acct\""), "account"),
        (
            FAILED.replace("\"region\": \"us-west-2\"", "\"region\": \"evil.com/\""),
            "region",
        ),
        (
            FAILED.replace(
                "arn:aws:ecs:us-west-2:111122223333:service/default/servicetest",
                "nope",
            ),
            "resources[0]",
        ),
        (
            FAILED.replace(
                "\"arn:aws:ecs:us-west-2:111122223333:service/default/servicetest\"",
                "\"a\", \"b\"",
            ),
            "resources",
        ),
    ];
    for (body, path) in cases {
        match classify_str(&body) {
            Err(Error::InvalidField { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{path}: {other:?}"),
        }
    }
    let no_resources = FAILED.replace(
        "\"arn:aws:ecs:us-west-2:111122223333:service/default/servicetest\"",
        "",
    );
    assert_eq!(
        classify_str(&no_resources),
        Err(Error::MissingField("resources".into()))
    );
    let no_name = FAILED.replace("\"eventName\": \"SERVICE_DEPLOYMENT_FAILED\",", "");
    assert_eq!(
        classify_str(&no_name),
        Err(Error::MissingField("detail.eventName".into()))
    );
}
