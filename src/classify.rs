//! Classify: each valid event becomes one [`Fact`] about a deployment's story (a stopped task,
//! a deployment started, failed or completed, a rollback started, a service action), or is
//! ignored with the reason why.

use std::borrow::Cow;

use crate::aws::{AccountId, ClusterArn, Partition, Region, ServiceArn, TaskArn};
use crate::console;
use crate::environment::EnvironmentResolver;
use crate::error::Error;
use crate::event::{
    DeploymentStateChange, EventBridgeEvent, RawDetail, ServiceAction, TaskStateChange,
};
use crate::story::remembered::{Cause, StoppedTask};
use crate::time;

/// `source` of Amazon ECS events.
pub const ECS_SOURCE: &str = "aws.ecs";
/// `detail-type` of deployment state changes.
pub const DEPLOYMENT_STATE_CHANGE: &str = "ECS Deployment State Change";
/// `detail-type` of service actions.
pub const SERVICE_ACTION: &str = "ECS Service Action";
/// `detail-type` of task state changes.
pub const TASK_STATE_CHANGE: &str = "ECS Task State Change";
/// `detail.eventName` of a failed deployment (needs the deployment circuit breaker).
pub const DEPLOYMENT_FAILED: &str = "SERVICE_DEPLOYMENT_FAILED";
/// `detail.eventName` of a deployment that started (or a rollback).
pub const DEPLOYMENT_IN_PROGRESS: &str = "SERVICE_DEPLOYMENT_IN_PROGRESS";
/// `detail.eventName` of a deployment that completed.
pub const DEPLOYMENT_COMPLETED: &str = "SERVICE_DEPLOYMENT_COMPLETED";

/// The documented, stable part of a circuit-breaker rollback's reason; the id follows it.
const ROLLING_BACK_TO: &str = "rolling back to deploymentid";
/// The reason of a task stopped because the service scaled in: not a failure.
const SCALE_IN: &str = "Scaling activity initiated by";
/// The prefix of `startedBy` for tasks a service deployment started.
const SERVICE_DEPLOYMENT: &str = "ecs-svc/";

/// The ECS service an event is about, with what the messages show of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service<'a> {
    /// The service's account.
    pub account: AccountId,
    /// The service's region.
    pub region: Region,
    /// Its partition (for console links).
    pub partition: Partition,
    /// The cluster, when the event names it.
    pub cluster: Option<String>,
    /// The service.
    pub name: String,
    /// The environment it belongs to.
    pub environment: &'a str,
}

impl Service<'_> {
    /// The service's Deployments tab in the AWS console.
    pub fn console_url(&self) -> Option<String> {
        console::deployments_url(
            self.partition,
            &self.region,
            self.cluster.as_deref(),
            &self.name,
        )
    }

    /// What identifies the service across events: account, region, cluster and name.
    pub fn identity(&self) -> String {
        let cluster = self.cluster.as_deref().unwrap_or("");
        [
            self.account.as_str(),
            self.region.as_str(),
            cluster,
            &self.name,
        ]
        .join("/")
    }
}

/// A deployment event of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment<'a> {
    /// The EventBridge event id.
    pub event_id: Cow<'a, str>,
    /// When it happened (`detail.updatedAt`, else the event time).
    pub time: Cow<'a, str>,
    /// The service.
    pub service: Service<'a>,
    /// The deployment, such as `ecs-svc/123`.
    pub deployment_id: Option<Cow<'a, str>>,
    /// ECS's reason.
    pub reason: Option<Cow<'a, str>>,
}

/// How serious a service action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `WARN`: something may be wrong.
    Warn,
    /// `ERROR`: something is wrong.
    Error,
}

/// An `ECS Service Action` of level `WARN` or `ERROR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action<'a> {
    /// The EventBridge event id.
    pub event_id: Cow<'a, str>,
    /// When it happened.
    pub time: Cow<'a, str>,
    /// The service.
    pub service: Service<'a>,
    /// Its level.
    pub level: Level,
    /// Such as `SERVICE_TASK_PLACEMENT_FAILURE`.
    pub name: Cow<'a, str>,
    /// Such as `RESOURCE:MEMORY`.
    pub reason: Option<Cow<'a, str>>,
}

/// One event's place in a deployment's story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact<'a> {
    /// A task of a service deployment stopped: kept to explain a failure.
    StoppedTask(StoppedTask),
    /// An ordinary deployment started.
    DeploymentStarted(Deployment<'a>),
    /// The circuit breaker started rolling back, to `target` when ECS names it.
    RollbackStarted {
        /// The rollback deployment.
        deployment: Deployment<'a>,
        /// The deployment it rolls back to.
        target: Option<String>,
    },
    /// A deployment (ordinary or a rollback) completed.
    DeploymentCompleted(Deployment<'a>),
    /// A deployment (ordinary or a rollback) failed.
    DeploymentFailed(Deployment<'a>),
    /// A service action of level `WARN` or `ERROR`.
    ServiceAction(Action<'a>),
    /// Nothing we act on.
    Ignored {
        /// `detail.eventName` of ECS events, when read.
        event_name: Option<Cow<'a, str>>,
        /// Why, for the answer and the log.
        why: Cow<'static, str>,
    },
}

impl Fact<'_> {
    /// `detail.eventName` or the event's kind, for the log.
    pub fn event_name(&self) -> Option<&str> {
        match self {
            Fact::StoppedTask(_) => Some("TASK_STOPPED"),
            Fact::DeploymentStarted(_) | Fact::RollbackStarted { .. } => {
                Some(DEPLOYMENT_IN_PROGRESS)
            }
            Fact::DeploymentCompleted(_) => Some(DEPLOYMENT_COMPLETED),
            Fact::DeploymentFailed(_) => Some(DEPLOYMENT_FAILED),
            Fact::ServiceAction(action) => Some(&action.name),
            Fact::Ignored { event_name, .. } => event_name.as_deref(),
        }
    }
}

fn ignored(why: &'static str) -> Fact<'static> {
    Fact::Ignored {
        event_name: None,
        why: Cow::Borrowed(why),
    }
}

/// The fact of an event that is not for us at all (another source, another kind of ECS
/// event), told from its envelope alone: no configuration is needed to ignore it.
pub fn not_for_us<D>(event: &EventBridgeEvent<'_, D>) -> Option<Fact<'static>> {
    if event.source != ECS_SOURCE {
        return Some(ignored("only events from `aws.ecs` are handled"));
    }
    let known = [DEPLOYMENT_STATE_CHANGE, SERVICE_ACTION, TASK_STATE_CHANGE];
    (!known.contains(&&*event.detail_type)).then(|| {
        ignored(
            "only ECS deployment state changes, service actions and task state changes are handled",
        )
    })
}

/// Classifies a valid event; `now` (Unix seconds) dates a stopped task without a time.
pub fn classify<'a>(
    event: EventBridgeEvent<'a, RawDetail<'a>>,
    environments: &'a EnvironmentResolver,
    now: u64,
) -> Result<Fact<'a>, Error> {
    if let Some(fact) = not_for_us(&event) {
        return Ok(fact);
    }
    match &*event.detail_type {
        DEPLOYMENT_STATE_CHANGE => deployment(event.with_detail()?, environments),
        SERVICE_ACTION => service_action(event.with_detail()?, environments),
        _ => task(event.with_detail()?, now),
    }
}

fn deployment<'a>(
    event: EventBridgeEvent<'a, DeploymentStateChange<'a>>,
    environments: &'a EnvironmentResolver,
) -> Result<Fact<'a>, Error> {
    let name = event
        .detail
        .event_name
        .clone()
        .ok_or(Error::MissingField("detail.eventName".into()))?;
    if ![
        DEPLOYMENT_FAILED,
        DEPLOYMENT_IN_PROGRESS,
        DEPLOYMENT_COMPLETED,
    ]
    .contains(&&*name)
    {
        return Ok(Fact::Ignored {
            event_name: Some(name),
            why: Cow::Borrowed("not a deployment state this component follows"),
        });
    }
    let service = service(&event, event.detail.cluster_arn.as_deref(), environments)?;
    let detail = event.detail;
    let rollback_target = detail.reason.as_deref().and_then(rollback_target);
    let deployment = Deployment {
        event_id: event.id,
        time: detail.updated_at.unwrap_or(event.time),
        service,
        deployment_id: detail.deployment_id,
        reason: detail.reason,
    };
    Ok(match (&*name, rollback_target) {
        (DEPLOYMENT_FAILED, _) => Fact::DeploymentFailed(deployment),
        (DEPLOYMENT_COMPLETED, _) => Fact::DeploymentCompleted(deployment),
        (_, Some(target)) => Fact::RollbackStarted { deployment, target },
        _ => Fact::DeploymentStarted(deployment),
    })
}

/// For a rollback's reason, `Some` with the deployment it rolls back to if ECS names one
/// (`ecs-svc/...`; the documentation's sample has a placeholder there); `None` otherwise.
fn rollback_target(reason: &str) -> Option<Option<String>> {
    let lower = reason.to_ascii_lowercase();
    let at = lower.find(ROLLING_BACK_TO)? + ROLLING_BACK_TO.len();
    let id = reason[at..]
        .split_whitespace()
        .next()
        .map(|word| word.trim_end_matches(['.', ',', ';', ')']))
        .filter(|id| {
            id.strip_prefix(SERVICE_DEPLOYMENT).is_some_and(|rest| {
                (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
            })
        });
    Some(id.map(str::to_owned))
}

fn service_action<'a>(
    event: EventBridgeEvent<'a, ServiceAction<'a>>,
    environments: &'a EnvironmentResolver,
) -> Result<Fact<'a>, Error> {
    let level = match event.detail.event_type.as_deref() {
        Some("ERROR") => Level::Error,
        Some("WARN") => Level::Warn,
        _ => {
            return Ok(Fact::Ignored {
                event_name: event.detail.event_name,
                why: Cow::Borrowed("only WARN and ERROR service actions are handled"),
            });
        }
    };
    let name = event
        .detail
        .event_name
        .clone()
        .ok_or(Error::MissingField("detail.eventName".into()))?;
    let service = service(&event, event.detail.cluster_arn.as_deref(), environments)?;
    Ok(Fact::ServiceAction(Action {
        event_id: event.id,
        time: event.detail.created_at.unwrap_or(event.time),
        service,
        level,
        name,
        reason: event.detail.reason,
    }))
}

fn task<'a>(event: EventBridgeEvent<'a, TaskStateChange<'a>>, now: u64) -> Result<Fact<'a>, Error> {
    let detail = event.detail;
    if detail.last_status.as_deref() != Some("STOPPED") {
        return Ok(ignored("only stopped tasks are recorded"));
    }
    let deployment = match detail.started_by.as_deref() {
        Some(started_by) if started_by.starts_with(SERVICE_DEPLOYMENT) => started_by.to_owned(),
        _ => {
            return Ok(ignored(
                "only tasks that a service deployment started are recorded",
            ));
        }
    };
    let stopped_reason = detail.stopped_reason.as_deref();
    if stopped_reason.is_some_and(|reason| reason.starts_with(SCALE_IN)) {
        return Ok(ignored("a task stopped by a scale-in is not a failure"));
    }
    let task_arn = detail
        .task_arn
        .as_deref()
        .ok_or(Error::MissingField("detail.taskArn".into()))?;
    let task = TaskArn::parse(task_arn).map_err(|e| invalid("detail.taskArn", e))?;
    let cluster = match detail.cluster_arn.as_deref() {
        Some(arn) => Some(
            ClusterArn::parse(arn)
                .map_err(|e| invalid("detail.clusterArn", e))?
                .cluster,
        ),
        None => task.cluster.clone(),
    };
    // The container that explains the stop: the first that exited with an error, else the
    // first with a reason (a pull error never ran). Sidecars exiting 0 explain nothing.
    let failing = detail
        .containers
        .iter()
        .find(|c| c.exit_code.is_some_and(|code| code != 0))
        .or_else(|| detail.containers.iter().find(|c| c.reason.is_some()));
    let cause = Cause {
        container: failing.and_then(|c| c.name.as_deref()).map(str::to_owned),
        exit_code: failing.and_then(|c| c.exit_code),
        reason: failing
            .and_then(|c| c.reason.as_deref())
            .or(stopped_reason)
            .map(str::to_owned),
    };
    let stopped_at = detail
        .stopped_at
        .as_deref()
        .and_then(time::rfc3339)
        .or_else(|| time::rfc3339(&event.time))
        .unwrap_or(now);
    // When its logs begin: the task started, else was created.
    let started_at = [&detail.started_at, &detail.created_at]
        .into_iter()
        .find_map(|at| at.as_deref().and_then(time::rfc3339));
    Ok(Fact::StoppedTask(StoppedTask {
        deployment,
        task_id: task.id,
        started_at,
        stopped_at,
        cluster,
        task_definition: detail
            .task_definition_arn
            .as_deref()
            .and_then(|arn| arn.rsplit_once("task-definition/"))
            .map(|(_, family_revision)| family_revision.to_owned()),
        image: failing.and_then(|c| c.image.as_deref()).map(str::to_owned),
        cause,
    }))
}

/// The service an event names: its ARN among the resources, the cluster from the ARN or
/// from `detail.clusterArn`, and the environment.
fn service<'a, D>(
    event: &EventBridgeEvent<'a, D>,
    cluster_arn: Option<&str>,
    environments: &'a EnvironmentResolver,
) -> Result<Service<'a>, Error> {
    let account = AccountId::parse(&event.account).map_err(|e| invalid("account", e))?;
    let region = Region::parse(&event.region).map_err(|e| invalid("region", e))?;
    let arn = service_arn(&event.resources)?;
    let cluster = match (arn.cluster, cluster_arn) {
        (Some(cluster), _) => Some(cluster),
        (None, Some(arn)) => Some(
            ClusterArn::parse(arn)
                .map_err(|e| invalid("detail.clusterArn", e))?
                .cluster,
        ),
        (None, None) => None,
    };
    let names: Vec<&str> = cluster
        .iter()
        .map(String::as_str)
        .chain([arn.service.as_str()])
        .collect();
    let environment = environments.resolve(account.as_str(), &names);
    Ok(Service {
        account,
        region,
        partition: arn.partition,
        cluster,
        name: arn.service,
        environment,
    })
}

/// The first ECS service ARN among the event's resources.
fn service_arn(resources: &[Cow<'_, str>]) -> Result<ServiceArn, Error> {
    match resources {
        [] => Err(Error::MissingField("resources".into())),
        [only] => ServiceArn::parse(only).map_err(|e| invalid("resources[0]", e)),
        _ => resources
            .iter()
            .find_map(|arn| ServiceArn::parse(arn).ok())
            .ok_or_else(|| invalid("resources", "no ECS service ARN among the resources")),
    }
}

fn invalid(path: &str, reason: &str) -> Error {
    Error::InvalidField {
        path: path.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::parse_envelope;

    const FAILED: &str = include_str!("../fixtures/ecs-deployment-failed.json");
    const NOW: u64 = 1_795_737_600;

    fn classify_str(body: &str) -> Result<Fact<'static>, Error> {
        let environments = Box::leak(Box::new(EnvironmentResolver::default()));
        let body: &'static str = Box::leak(body.to_owned().into_boxed_str());
        classify(parse_envelope(body.as_bytes())?, environments, NOW)
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn failure_of(body: &str) -> Deployment<'static> {
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
}
