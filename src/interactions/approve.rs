//! A pause's "Continue" or "Roll back": the button's opaque id names a pause kept in the store
//! (nothing in the press is trusted for it); only the environment's approvers may press; the
//! press's claim makes two presses call ECS once; and only once ECS accepts does the message
//! say who ended the pause, and the thread hear it. The hook event the press causes then tells
//! nothing more (see `story::pause_news`).

use crate::answer::LogLine;
use crate::app::{self, Context};
use crate::aws::ServiceDeploymentArn;
use crate::config::Interactivity;
use crate::ecs_api::{self, EcsAccess, EcsAnswer, HookAction};
use crate::host::{Host, StoreError};
use crate::press::Press;
use crate::remembered::Decision;
use crate::slack::{Controls, decision_line};
use crate::state::claim::{self, Claim};
use crate::state::pause::{self, Pause};
use crate::state::thread::{self as threads, Thread};
use crate::state::{self, keys};
use crate::{delivery, interactions::PRESS_DEADLINE};

/// The note for a press on a pause that is no longer there to end.
const OVER: &str = "This pause is over: the deployment went on, rolled back or timed out, or \
                    its buttons expired. Nothing was done.";

/// Acts on a press of a pause's button (`id`, `action`); the note for the presser, if any.
pub(super) fn decide(
    host: &mut impl Host,
    press: &Press,
    (id, action): (&str, HookAction),
    interactivity: &Interactivity,
    context: &Context,
    log: &mut LogLine,
) -> Option<String> {
    let now = context.now;
    let Some(ecs) = &interactivity.ecs else {
        log.press = Some("refused");
        return Some("Approvals are not set up here. Nothing was done.".to_owned());
    };
    let pause = match pause::find(host, id, now) {
        Ok(Some(pause)) => pause,
        Ok(None) => {
            log.press = Some("pause_over");
            return Some(OVER.to_owned());
        }
        Err(StoreError) => {
            log.press = Some("failed");
            return Some(TRY_AGAIN.to_owned());
        }
    };
    if !interactivity
        .approvers
        .admit(&pause.environment, &press.user)
    {
        log.press = Some("refused");
        return Some(format!(
            "Only the approvers of `{}` may continue or roll back its deployments. Nothing was \
             done.",
            pause.environment
        ));
    }
    let key = keys::press(id);
    let mut wrote = false;
    match claim::take(host, &key, now, &mut wrote) {
        Ok(Claim::Ours) => {}
        Ok(Claim::InFlight) => {
            log.press = Some("in_flight");
            return Some("Another press on this pause is being handled already.".to_owned());
        }
        Ok(Claim::Delivered(_)) => {
            log.press = Some("pause_over");
            return Some(OVER.to_owned());
        }
        // Without the claim ECS itself refuses a second call: the hook no longer waits.
        Err(StoreError) => {}
    }
    let answer = call_ecs(host, ecs, &pause, action, now);
    let outcome = match answer {
        EcsAnswer::Accepted => {
            let decision = Decision {
                action,
                by: press.user.clone(),
                at: now,
            };
            end_pause(host, id, &key, now);
            return accepted(host, press, &pause, &decision, context, log);
        }
        EcsAnswer::Over(code) => {
            // The buttons go: nothing a later press could do. A parent is drawn again from
            // its story (its record gone, without them); another message as it was.
            end_pause(host, id, &key, now);
            let story = story_of(host, &pause, now);
            match story.filter(|thread| is_pressed_parent(press, &pause, thread)) {
                Some(thread) => {
                    let _ = app::keep_and_redraw(host, &thread, true, context, log);
                }
                None => redraw_pressed(host, context, press, &pause, None),
            }
            log.press = Some("ecs_refused");
            let note =
                format!("ECS refused it (`{code}`): the pause no longer waits. Nothing was done.");
            (code, note)
        }
        EcsAnswer::TryAgain(code) => {
            if wrote {
                let _ = claim::release(host, &key);
            }
            log.press = Some("ecs_failed");
            let note = format!(
                "ECS did not take it (`{code}`). Nothing changed: press again in a moment, or \
                 use the command in the message."
            );
            (code, note)
        }
    };
    let (code, note) = outcome;
    log.ecs_error = Some(code);
    Some(note)
}

/// The note when the store failed on the way.
const TRY_AGAIN: &str = "The store did not answer just now: press again in a moment.";

/// Calls `ContinueServiceDeployment` for `pause` within the press's budget, leaving time to
/// tell Slack after.
fn call_ecs(
    host: &mut impl Host,
    ecs: &EcsAccess,
    pause: &Pause,
    action: HookAction,
    now: u64,
) -> EcsAnswer {
    let unsendable = |why: &str| EcsAnswer::TryAgain(why.to_owned());
    let Ok(arn) = ServiceDeploymentArn::parse(&pause.service_deployment) else {
        return EcsAnswer::Over("invalid_arn".to_owned());
    };
    let region = arn.region();
    let Ok(url) = ecs.endpoint(arn.service.partition, region) else {
        return unsendable("invalid_endpoint");
    };
    let body = ecs_api::continue_body(&pause.service_deployment, &pause.hook_id, action);
    let Ok(request) = ecs_api::continue_service_deployment(&url, &body, &ecs.key, region, now)
    else {
        return unsendable("unsigned");
    };
    // Two seconds stay for Slack once ECS answered.
    let Some(timeouts) = delivery::share_within(
        PRESS_DEADLINE.saturating_sub(SLACK_AFTER_ECS),
        host.elapsed(),
    ) else {
        return unsendable("out_of_time");
    };
    ecs_api::answer(host.post(&request, timeouts))
}

/// What the press's work keeps for Slack once ECS answered.
const SLACK_AFTER_ECS: std::time::Duration = std::time::Duration::from_secs(2);

/// ECS accepted: the pause is remembered as ended by the presser; its message says so
/// (buttons gone), the story's parent too when it is this pause, and the thread hears it.
fn accepted(
    host: &mut impl Host,
    press: &Press,
    pause: &Pause,
    decision: &Decision,
    context: &Context,
    log: &mut LogLine,
) -> Option<String> {
    let now = context.now;
    let _ = pause::remember_decision(host, &pause.hook_id, decision, now);
    let _ = state::remember_hook_outcome(host, &pause.hook_id, decision.news(), now);
    log.press = Some(match decision.action {
        HookAction::Continue => "continued",
        HookAction::Rollback => "rollback_requested",
    });
    let line = decision_line(decision);
    let thread = story_of(host, pause, now);
    let parent_is_pause = thread
        .as_ref()
        .is_some_and(|thread| parent_is(pause, thread));
    // The parent is drawn with the story below; any other pressed message here.
    let pressed_parent = thread
        .as_ref()
        .is_some_and(|thread| is_pressed_parent(press, pause, thread));
    if !pressed_parent {
        redraw_pressed(host, context, press, pause, Some(decision));
    }
    match thread {
        Some(thread) => {
            if parent_is_pause {
                let mut change = thread.clone();
                change.decision = Some(decision.clone());
                change.hook_outcome = Some(decision.news());
                let _ = app::keep_and_redraw(host, &change, false, context, log);
            }
            let _ = app::say(host, context, &thread.channel, Some(&thread.ts), &line);
        }
        None => {
            if let Some((channel, ts)) = &press.message {
                let _ = app::say(host, context, channel.as_str(), Some(ts), &line);
            }
        }
    }
    None
}

/// The thread of `pause`'s story, if it is kept.
fn story_of(host: &mut impl Host, pause: &Pause, now: u64) -> Option<Thread> {
    let story = pause.thread.as_deref()?;
    threads::thread_of(host, story, now).ok().flatten()
}

/// Whether `thread`'s parent is `pause`'s message (the pause started the thread).
fn parent_is(pause: &Pause, thread: &Thread) -> bool {
    thread.hook.as_deref() == Some(pause.hook_id.as_str())
}

/// Whether the pressed message is `thread`'s parent, and that parent is `pause`'s message.
fn is_pressed_parent(press: &Press, pause: &Pause, thread: &Thread) -> bool {
    parent_is(pause, thread)
        && press
            .message
            .as_ref()
            .is_some_and(|(_, ts)| &thread.ts == ts)
}

/// Draws the pressed pause message again without its buttons (an ended pause is no alert, so
/// "I'm on it" goes too, as on a parent), saying who ended the pause when a person did.
fn redraw_pressed(
    host: &mut impl Host,
    context: &Context,
    press: &Press,
    pause: &Pause,
    decision: Option<&Decision>,
) {
    let Some((channel, ts)) = &press.message else {
        return;
    };
    let controls = Controls {
        decision,
        ..Controls::default()
    };
    let at = (channel.as_str(), ts.as_str());
    let _ = app::redraw_pause(host, context, &pause.event, at, controls);
}

/// The pause is over: its record goes, and its claim becomes the mark later presses find.
fn end_pause(host: &mut impl Host, id: &str, key: &str, now: u64) {
    let _ = pause::forget(host, id);
    let _ = claim::mark_delivered(host, key, None, now);
}
