//! `ECS Hook State Change`: a lifecycle hook of a service deployment (a pause waiting for a
//! person, a Lambda function) ran, waits, passed, failed or timed out.

use std::borrow::Cow;

use super::{Fact, Service, event_name, service};
use crate::aws::ServiceDeploymentArn;
use crate::environment::EnvironmentResolver;
use crate::error::Error;
use crate::event::{EventBridgeEvent, HookStateChange};
use crate::remembered::HookNews;
use crate::time;

/// `detail-type` of hook state changes.
pub const HOOK_STATE_CHANGE: &str = "ECS Hook State Change";
/// `detail.hookType` of a pause hook, which waits for `ContinueServiceDeployment`.
const PAUSE: &str = "PAUSE";
/// The longest a pause waits (14 days, ECS Developer Guide), and a day to spare: an
/// `expiresAt` further off is not believed.
pub const MAX_PAUSE_SECS: u64 = 15 * 24 * 3600;

/// A hook's event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook<'a> {
    /// The EventBridge event id.
    pub event_id: Cow<'a, str>,
    /// When it happened (`detail.updatedAt`, else the event time).
    pub time: Cow<'a, str>,
    /// The service.
    pub service: Service<'a>,
    /// What it tells.
    pub news: HookNews,
    /// `PAUSE`, `AWS_LAMBDA`, or another type, as ECS names it.
    pub hook_type: Option<Cow<'a, str>>,
    /// The hook's id, as ECS gives it.
    pub hook_id: Option<Cow<'a, str>>,
    /// The deployment's stage, such as `PRE_PRODUCTION_TRAFFIC_SHIFT`.
    pub stage: Option<Cow<'a, str>>,
    /// When the hook gives up (Unix seconds), if that reads.
    pub expires_at: Option<u64>,
    /// The service deployment, when its ARN reads.
    pub service_deployment: Option<ServiceDeploymentArn>,
}

impl Hook<'_> {
    /// When it happened, by the event's own time (Unix seconds), if that reads.
    pub fn at(&self) -> Option<u64> {
        time::rfc3339(&self.time)
    }

    /// Whether it is a pause, which waits for a person.
    pub fn is_pause(&self) -> bool {
        self.hook_type.as_deref() == Some(PAUSE)
    }

    /// The service deployment's ARN, if it reads.
    pub fn arn(&self) -> Option<&str> {
        self.service_deployment.as_ref().map(|arn| arn.arn.as_str())
    }

    /// The hook id, when it is safe as a word of a shell command (letters, digits, `-`, `_`).
    pub fn plain_hook_id(&self) -> Option<&str> {
        self.hook_id.as_deref().filter(|id| {
            (1..=128).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    }
}

/// Classifies a hook's event.
pub(super) fn hook<'a>(
    event: EventBridgeEvent<'a, HookStateChange<'a>>,
    environments: &'a EnvironmentResolver,
) -> Result<Fact<'a>, Error> {
    let name = event_name(&event.detail)?;
    let pause = event.detail.hook_type.as_deref() == Some(PAUSE);
    let news = match &*name {
        "HOOK_AWAITING_ACTION" => HookNews::Waiting,
        "HOOK_IN_PROGRESS" => HookNews::Running,
        "HOOK_SUCCEEDED" if pause => HookNews::Continued,
        "HOOK_SUCCEEDED" => HookNews::Passed,
        "HOOK_FAILED" if pause => HookNews::RollbackChosen,
        "HOOK_FAILED" => HookNews::Failed,
        "HOOK_TIMED_OUT" => HookNews::TimedOut,
        _ => {
            return Ok(Fact::Ignored {
                event_name: Some(name),
                why: Cow::Borrowed("not a hook state this component follows"),
            });
        }
    };
    let service = service(&event, environments)?;
    // The deployment's ARN: the detail's, else the one among the resources.
    let service_deployment = event
        .detail
        .service_deployment_arn
        .as_deref()
        .into_iter()
        .chain(event.resources.iter().map(|arn| &**arn))
        .find_map(|arn| ServiceDeploymentArn::parse(arn).ok());
    let detail = event.detail;
    Ok(Fact::Hook(Hook {
        event_id: event.id,
        time: detail.updated_at.unwrap_or(event.time),
        service,
        news,
        hook_type: detail.hook_type,
        hook_id: detail.hook_id,
        stage: detail.lifecycle_stage,
        expires_at: detail.expires_at.as_deref().and_then(time::rfc3339),
        service_deployment,
    }))
}
