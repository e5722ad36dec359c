//! Classify: each valid event becomes one [`Fact`] about a deployment's story (a stopped task,
//! a deployment started, failed or completed, a rollback started, a service action, a
//! lifecycle hook's news), or is ignored (or covered by another event) with the reason why.

pub mod hook;
pub mod reason;

use std::borrow::Cow;

use crate::aws::{
    AccountId, ClusterArn, Partition, Region, ServiceArn, ServiceDeploymentArn, TaskArn,
};
use crate::console;
use crate::environment::EnvironmentResolver;
use crate::error::Error;
use crate::event::{
    DeploymentStateChange, EventBridgeEvent, RawDetail, ServiceAction, ServiceDetail,
    TaskStateChange,
};
use crate::remembered::{Cause, HookNews, StoppedTask};
use crate::time;
pub use hook::{HOOK_STATE_CHANGE, Hook};
use reason::{FailureCause, SERVICE_DEPLOYMENT, rollback_target};

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

/// The service action that restates a deployment's failure, which its deployment event tells.
const SERVICE_DEPLOYMENT_FAILED_ACTION: &str = "SERVICE_DEPLOYMENT_FAILED";
/// The reason of a task stopped because the service scaled in: not a failure.
const SCALE_IN: &str = "Scaling activity initiated by";

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

impl Deployment<'_> {
    /// When it happened, by the event's own time (Unix seconds), if that reads.
    pub fn at(&self) -> Option<u64> {
        time::rfc3339(&self.time)
    }

    /// What failed it (or started its rollback), as its reason names it.
    pub fn cause(&self) -> FailureCause {
        FailureCause::of(self.reason.as_deref())
    }
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

impl Action<'_> {
    /// When it happened, by the event's own time (Unix seconds), if that reads.
    pub fn at(&self) -> Option<u64> {
        time::rfc3339(&self.time)
    }
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
    /// A lifecycle hook's news.
    Hook(Hook<'a>),
    /// An event that restates what another event tells: never a second message.
    Covered {
        /// `detail.eventName`.
        event_name: Cow<'a, str>,
        /// Which event tells it, for the answer and the log.
        why: &'static str,
    },
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
            Fact::Hook(hook) => Some(match hook.news {
                HookNews::Waiting => "HOOK_AWAITING_ACTION",
                HookNews::Running => "HOOK_IN_PROGRESS",
                HookNews::Continued | HookNews::Passed => "HOOK_SUCCEEDED",
                HookNews::RollbackChosen | HookNews::Failed => "HOOK_FAILED",
                HookNews::TimedOut => "HOOK_TIMED_OUT",
            }),
            Fact::Covered { event_name, .. } => Some(event_name),
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
    let known = [
        DEPLOYMENT_STATE_CHANGE,
        SERVICE_ACTION,
        TASK_STATE_CHANGE,
        HOOK_STATE_CHANGE,
    ];
    (!known.contains(&&*event.detail_type)).then(|| {
        ignored("only ECS deployment, hook and task state changes and service actions are handled")
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
        HOOK_STATE_CHANGE => hook::hook(event.with_detail()?, environments),
        _ => task(event.with_detail()?, now),
    }
}

fn deployment<'a>(
    event: EventBridgeEvent<'a, DeploymentStateChange<'a>>,
    environments: &'a EnvironmentResolver,
) -> Result<Fact<'a>, Error> {
    let name = event_name(&event.detail)?;
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
    let service = service(&event, environments)?;
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
    let name = event_name(&event.detail)?;
    if name == SERVICE_DEPLOYMENT_FAILED_ACTION {
        return Ok(Fact::Covered {
            event_name: name,
            why: "the deployment's own `SERVICE_DEPLOYMENT_FAILED` state change tells this failure",
        });
    }
    let service = service(&event, environments)?;
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

/// `detail.eventName`, which every event that names a service must carry.
fn event_name<'a>(detail: &impl ServiceDetail<'a>) -> Result<Cow<'a, str>, Error> {
    detail
        .event_name()
        .cloned()
        .ok_or(Error::MissingField("detail.eventName".into()))
}

/// The service an event names: its ARN among the resources (else `detail.serviceArn`, else
/// the service of a service deployment ARN among the resources), the cluster from the ARN or
/// from `detail.clusterArn`, and the environment.
fn service<'a, 'd, D: ServiceDetail<'d>>(
    event: &EventBridgeEvent<'a, D>,
    environments: &'a EnvironmentResolver,
) -> Result<Service<'a>, Error> {
    let account = AccountId::parse(&event.account).map_err(|e| invalid("account", e))?;
    let region = Region::parse(&event.region).map_err(|e| invalid("region", e))?;
    let arn = service_arn(&event.resources, event.detail.service_arn())?;
    let cluster = match (arn.cluster, event.detail.cluster_arn()) {
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

/// The event's service: the first ECS service ARN among its resources, else the detail's
/// `serviceArn`, else the service of the first service deployment ARN among its resources
/// (hook events name the deployment).
fn service_arn(resources: &[Cow<'_, str>], detail: Option<&str>) -> Result<ServiceArn, Error> {
    if let Some(arn) = resources.iter().find_map(|arn| ServiceArn::parse(arn).ok()) {
        return Ok(arn);
    }
    if let Some(arn) = detail {
        return ServiceArn::parse(arn).map_err(|e| invalid("detail.serviceArn", e));
    }
    if let Some(arn) = resources
        .iter()
        .find_map(|arn| ServiceDeploymentArn::parse(arn).ok())
    {
        return Ok(arn.service);
    }
    Err(match resources {
        [] => Error::MissingField("resources".into()),
        [_] => invalid(
            "resources[0]",
            "expected an ECS service or service deployment ARN",
        ),
        _ => invalid(
            "resources",
            "no ECS service or service deployment ARN among the resources",
        ),
    })
}

fn invalid(path: &str, reason: &str) -> Error {
    Error::InvalidField {
        path: path.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod hook_tests;
#[cfg(test)]
mod tests;
