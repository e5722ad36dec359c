//! A lifecycle hook's messages: a pause waiting for a person (when it gives up, what ECS then
//! does, the commands to continue or roll back), how the pause ended, a hook's failure or
//! time-out, and its progress.

use super::draft::{Draft, fallback_start};
use super::mrkdwn::{push_code, push_date};
use super::words::stage_in_words;
use crate::classify::Hook;
use crate::remembered::HookNews;

/// What a hook's message is made of: a waiting pause is an alert with its commands, its
/// outcome a notice.
pub fn hook<'s>(hook: &'s Hook, news: HookNews) -> Draft<'s> {
    let (icon, title) = match news {
        HookNews::Waiting => ("⏸️", "Waiting for approval"),
        HookNews::Continued => ("▶️", "Continued"),
        HookNews::RollbackChosen => ("↩️", "Rolled back at a pause"),
        HookNews::Failed => ("🚨", "Lifecycle hook failed"),
        HookNews::TimedOut => ("⏰", "Lifecycle hook timed out"),
        HookNews::Running => ("🪝", "Lifecycle hook running"),
        HookNews::Passed => ("🪝", "Lifecycle hook passed"),
    };
    let mut at_stage = String::new();
    push_stage(&mut at_stage, hook);
    let mut summary = String::with_capacity(512);
    match news {
        HookNews::Waiting => {
            summary.push_str("The deployment waits ");
            summary.push_str(&at_stage);
            summary.push_str(" for someone to continue it or roll it back.\n");
            match hook.expires_at {
                Some(at) => {
                    summary.push_str("If nobody does by ");
                    push_date(&mut summary, at);
                    summary.push_str(", ECS takes the hook's timeout action");
                }
                None => {
                    summary.push_str("If nobody does in time, ECS takes the hook's timeout action")
                }
            }
            summary.push_str(": it rolls back, unless the hook is set to continue.");
        }
        HookNews::Continued => {
            summary.push_str("Someone continued the deployment ");
            summary.push_str(&at_stage);
            summary.push('.');
        }
        HookNews::RollbackChosen => {
            summary.push_str("Someone chose to roll back ");
            summary.push_str(&at_stage);
            summary.push_str(": ECS rolls the deployment back to the previous revision.");
        }
        HookNews::Failed => {
            push_hook(&mut summary, hook);
            summary.push_str(" failed ");
            summary.push_str(&at_stage);
            summary.push_str(": ECS rolls the deployment back to the previous revision.");
        }
        HookNews::TimedOut => {
            push_hook(&mut summary, hook);
            summary.push_str(" timed out ");
            summary.push_str(&at_stage);
            summary.push_str(
                ": ECS now takes the hook's timeout action, a rollback unless the hook is set \
                 to continue.",
            );
        }
        HookNews::Running | HookNews::Passed => {
            push_hook(&mut summary, hook);
            summary.push_str(if news == HookNews::Running {
                " runs "
            } else {
                " passed "
            });
            summary.push_str(&at_stage);
            summary.push('.');
        }
    }
    let mut fallback = fallback_start(icon, title, &hook.service);
    fallback.push_str(": ");
    fallback.push_str(&at_stage);
    // A rollback chosen at a pause says where in its header: the stage, as ECS names it.
    let title = match (news, hook.stage.as_deref()) {
        (HookNews::RollbackChosen, Some(stage)) => format!("Rolled back at {stage}"),
        _ => title.to_owned(),
    };
    Draft {
        summary: Some(summary),
        commands: (news == HookNews::Waiting).then(|| commands(hook)),
        ..Draft::new(
            &hook.service,
            (&hook.event_id, &hook.time),
            icon,
            title,
            fallback,
        )
    }
}

/// `at `STAGE` (in words)`, or `at a stage ECS did not name`.
fn push_stage(out: &mut String, hook: &Hook) {
    let Some(stage) = hook.stage.as_deref() else {
        out.push_str("at a stage ECS did not name");
        return;
    };
    out.push_str("at ");
    push_code(out, stage, 100);
    if let Some(words) = stage_in_words(stage) {
        out.push_str(" (");
        out.push_str(words);
        out.push(')');
    }
}

/// `The `AWS_LAMBDA` hook `ID``, as far as the event names it.
fn push_hook(out: &mut String, hook: &Hook) {
    out.push_str("The ");
    if let Some(kind) = hook.hook_type.as_deref() {
        push_code(out, kind, 50);
        out.push(' ');
    }
    out.push_str("hook");
    if let Some(id) = hook.hook_id.as_deref() {
        out.push(' ');
        push_code(out, id, 150);
    }
}

/// The two commands that end the pause, to copy, when the hook id and the deployment's ARN are
/// safe as words of a shell command; else where to act instead.
fn commands(hook: &Hook) -> String {
    let (Some(arn), Some(id)) = (hook.arn(), hook.plain_hook_id()) else {
        return "_The event's hook id or service deployment ARN does not read, so no command is \
                shown: continue or roll back from the service's Deployments tab._"
            .to_owned();
    };
    let region = hook.service.region.as_str();
    let mut text = String::with_capacity(2 * (arn.len() + id.len()) + 300);
    for (label, action) in [("Continue", "CONTINUE"), ("Roll back", "ROLLBACK")] {
        text.push('*');
        text.push_str(label);
        text.push_str(":*\n```aws ecs continue-service-deployment --region ");
        text.push_str(region);
        text.push_str(" --service-deployment-arn ");
        text.push_str(arn);
        text.push_str(" --hook-id ");
        text.push_str(id);
        text.push_str(" --action ");
        text.push_str(action);
        text.push_str("```\n");
    }
    text.pop();
    text
}
