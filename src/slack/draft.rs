//! What each kind of message says: its icon, title, summary and fallback text, and which
//! of the event's values it shows.

use super::hook::hook;
use super::mrkdwn::{Escape, push_code, push_escaped, push_escaped_as};
use super::words::{action_in_words, reason_in_words};
use crate::classify::reason::FailureCause;
use crate::classify::{Action, Deployment, Level, Service};
use crate::remembered::Rollback;
use crate::story::Message;
use crate::story::causes::Why;

/// How much of a reason the fallback text (notifications) carries.
const FALLBACK_REASON: usize = 300;

/// The parts every message is made of: texts composed here (summary, fallback) are escaped
/// already; the event's values are escaped where they are shown.
pub struct Draft<'s> {
    /// The service it is about.
    pub service: &'s Service<'s>,
    /// The header's emoji.
    pub icon: &'static str,
    /// The header's words, escaped when the header is written.
    pub title: String,
    /// Whether the title names the service (a rollback's does): else the header adds it.
    pub names_service: bool,
    /// The first section's text, escaped.
    pub summary: Option<String>,
    /// The deployment, as ECS names it.
    pub deployment: Option<&'s str>,
    /// ECS's reason, shown as a code block.
    pub reason: Option<&'s str>,
    /// Why a failure happened, for alerts.
    pub why: Option<&'s Why>,
    /// What someone can do now, as a section (a pause's commands): dropped once the story
    /// ended.
    pub commands: Option<String>,
    /// Whether a CloudWatch alarm is the cause: the region's alarms page is linked.
    pub alarms: bool,
    /// The EventBridge event id.
    pub event_id: &'s str,
    /// When it happened.
    pub time: &'s str,
    /// The plain-text fallback for notifications, escaped.
    pub fallback: String,
}

/// What the message for what the story tells is made of.
pub fn draft<'s>(message: &'s Message) -> Draft<'s> {
    match message {
        Message::DeploymentFailed {
            deployment, why, ..
        } => failure(
            deployment,
            "Deployment failed",
            "ECS deployment failed",
            why,
        ),
        Message::RollbackFailed {
            deployment, why, ..
        } => failure(deployment, "Rollback failed", "ECS rollback failed", why),
        Message::RollingBack {
            deployment,
            rollback,
        } => rolling_back(deployment, rollback),
        Message::RolledBack {
            deployment,
            rollback,
        } => rolled_back(deployment, rollback),
        Message::ServiceAction(action) => service_action(action),
        Message::DeploymentStarted(deployment) => notice(
            deployment,
            "🚀",
            "Deployment started",
            "ECS deployment started",
        ),
        Message::DeploymentCompleted(deployment) => notice(
            deployment,
            "✅",
            "Deployment completed",
            "ECS deployment completed",
        ),
        Message::Hook { hook: event, news } => hook(event, *news),
    }
}

/// A failure's cause in words, when its reason names one.
fn cause_line(cause: FailureCause) -> Option<&'static str> {
    Some(match cause {
        FailureCause::CircuitBreaker => {
            "*Cause:* the deployment circuit breaker: the new tasks failed to start or to stay \
             healthy."
        }
        FailureCause::Tasks => "*Cause:* the new tasks failed to start or to stay healthy.",
        FailureCause::Alarm => {
            "*Cause:* a CloudWatch alarm the deployment watches went into ALARM. The alarms \
             page shows which."
        }
        FailureCause::Hook => "*Cause:* a lifecycle hook of the deployment failed or timed out.",
        FailureCause::Stopped => "*Cause:* someone stopped the deployment.",
        FailureCause::Other => return None,
    })
}

fn failure<'s>(deployment: &'s Deployment, title: &str, what: &str, why: &'s Why) -> Draft<'s> {
    let service = &deployment.service;
    let mut fallback = fallback_start("🚨", what, service);
    fallback.push_str(": ");
    let reason = deployment.reason.as_deref().unwrap_or("no reason given");
    push_escaped_as(&mut fallback, reason, FALLBACK_REASON, Escape::Code);
    let cause = deployment.cause();
    // Stopped tasks explain a failure of tasks; for another cause, the advice to record them
    // would mislead, though tasks that were recorded still show.
    let why = (cause.is_about_tasks() || *why != Why::NothingRecorded).then_some(why);
    Draft {
        why,
        summary: cause_line(cause).map(str::to_owned),
        alarms: cause == FailureCause::Alarm,
        ..of_deployment(deployment, "🚨", title.to_owned(), fallback)
    }
}

fn rolling_back<'s>(deployment: &'s Deployment, rollback: &Rollback) -> Draft<'s> {
    let service = &deployment.service;
    let target = rollback.target.as_deref();
    let cause = deployment.cause();
    let mut summary = String::from(match cause {
        FailureCause::CircuitBreaker => "The deployment circuit breaker is rolling back",
        FailureCause::Alarm => "A CloudWatch alarm went into ALARM: ECS is rolling back",
        FailureCause::Hook => "A lifecycle hook failed: ECS is rolling back",
        FailureCause::Stopped => "The deployment was stopped: ECS is rolling back",
        FailureCause::Tasks | FailureCause::Other => "ECS is rolling back",
    });
    if let Some(failed) = rollback.failed.as_deref() {
        summary.push_str(" the failed deployment ");
        push_code(&mut summary, failed, 100);
    }
    summary.push_str(" to ");
    match target {
        Some(target) => push_code(&mut summary, target, 100),
        None => summary.push_str("the last deployment that completed"),
    }
    summary.push('.');
    let mut title = String::from("Rolling back ");
    title.push_str(&service.name);
    title.push_str(" to ");
    title.push_str(target.unwrap_or("the previous deployment"));
    let mut fallback = fallback_start("↩️", "ECS rolling back", service);
    fallback.push_str(" to ");
    push_escaped(
        &mut fallback,
        target.unwrap_or("the previous deployment"),
        100,
    );
    Draft {
        summary: Some(summary),
        alarms: cause == FailureCause::Alarm,
        names_service: true,
        ..of_deployment(deployment, "↩️", title, fallback)
    }
}

fn rolled_back<'s>(deployment: &'s Deployment, rollback: &Rollback) -> Draft<'s> {
    let service = &deployment.service;
    let steady_on = rollback
        .target
        .as_deref()
        .or(deployment.deployment_id.as_deref())
        .unwrap_or("the previous deployment");
    let mut title = String::from("Rolled back: ");
    title.push_str(&service.name);
    title.push_str(" is steady on ");
    title.push_str(steady_on);
    let mut summary = String::from("Recovered: the rollback completed");
    if let Some(failed) = rollback.failed.as_deref() {
        summary.push_str(" after deployment ");
        push_code(&mut summary, failed, 100);
        summary.push_str(" failed");
    }
    summary.push_str(". Nothing to do unless the failed release must still ship.");
    let mut fallback = fallback_start("✅", "ECS rolled back", service);
    fallback.push_str(": steady on ");
    push_escaped(&mut fallback, steady_on, 100);
    Draft {
        summary: Some(summary),
        // The rollback's reason only repeats that it completed.
        reason: None,
        names_service: true,
        ..of_deployment(deployment, "✅", title, fallback)
    }
}

fn service_action<'s>(action: &'s Action) -> Draft<'s> {
    let (icon, what) = match action.level {
        Level::Error => ("🚨", "ECS service action"),
        Level::Warn => ("⚠️", "ECS service warning"),
    };
    let words = action_in_words(&action.name);
    let mut fallback = fallback_start(icon, what, &action.service);
    fallback.push_str(": ");
    // An unknown name comes from the event, in words: escaped like every value.
    push_escaped(&mut fallback, &words, 100);
    if let Some(reason) = action.reason.as_deref() {
        fallback.push_str(" (");
        push_escaped_as(&mut fallback, reason, FALLBACK_REASON, Escape::Code);
        fallback.push(')');
    }
    let mut summary = String::from("*Event*\n");
    push_code(&mut summary, &action.name, 300);
    if let Some(meaning) = action.reason.as_deref().and_then(reason_in_words) {
        summary.push('\n');
        summary.push_str(meaning);
    }
    Draft {
        summary: Some(summary),
        reason: action.reason.as_deref(),
        ..Draft::new(
            &action.service,
            (&action.event_id, &action.time),
            icon,
            words,
            fallback,
        )
    }
}

fn notice<'s>(
    deployment: &'s Deployment,
    icon: &'static str,
    title: &str,
    what: &str,
) -> Draft<'s> {
    let fallback = fallback_start(icon, what, &deployment.service);
    of_deployment(deployment, icon, title.to_owned(), fallback)
}

/// A deployment's draft with its facts and ECS's reason, if it gave one, and no summary: what
/// every draft of a deployment starts from.
fn of_deployment<'s>(
    deployment: &'s Deployment,
    icon: &'static str,
    title: String,
    fallback: String,
) -> Draft<'s> {
    Draft {
        deployment: deployment.deployment_id.as_deref(),
        reason: deployment.reason.as_deref(),
        ..Draft::new(
            &deployment.service,
            (&deployment.event_id, &deployment.time),
            icon,
            title,
            fallback,
        )
    }
}

impl<'s> Draft<'s> {
    /// A message about `service` from the event `(id, time)`, of an `icon` and a `title` that
    /// does not name the service, with its `fallback`, and nothing else yet: what every draft
    /// starts from.
    pub fn new(
        service: &'s Service<'s>,
        (event_id, time): (&'s str, &'s str),
        icon: &'static str,
        title: String,
        fallback: String,
    ) -> Self {
        Self {
            service,
            icon,
            title,
            names_service: false,
            summary: None,
            deployment: None,
            reason: None,
            why: None,
            commands: None,
            alarms: false,
            event_id,
            time,
            fallback,
        }
    }
}

/// `ICON WHAT in ENV: CLUSTER / SERVICE (REGION)`: at most 64 + 255 + 255 + 32 characters
/// of values, so with a reason of [`FALLBACK_REASON`] it stays within `limits::FALLBACK`.
pub fn fallback_start(icon: &str, what: &str, service: &Service) -> String {
    let mut text = String::with_capacity(256);
    text.push_str(icon);
    text.push(' ');
    text.push_str(what);
    text.push_str(" in ");
    push_escaped(&mut text, service.environment, 64);
    text.push_str(": ");
    push_escaped(
        &mut text,
        service.cluster.as_deref().unwrap_or("unknown"),
        255,
    );
    text.push_str(" / ");
    push_escaped(&mut text, &service.name, 255);
    text.push_str(" (");
    text.push_str(service.region.as_str());
    text.push(')');
    text
}
