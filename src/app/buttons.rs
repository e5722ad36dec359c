//! What an app-mode message's buttons stand for, once the signing secret is set: "I'm on it"
//! names the story's thread; a waiting pause's "Continue" and "Roll back" name a record of the
//! pause, kept in the store under an opaque id for as long as the pause may wait.

use crate::config::Interactivity;
use crate::host::Host;
use crate::remembered::HookNews;
use crate::slack::Controls;
use crate::state::pause::{self, Pause};
use crate::state::thread::Thread;
use crate::story::Message;

use super::calls::kept_event;

/// The buttons of `message` posted in `story`'s thread (none: on its own): "I'm on it" on an
/// alert, and a waiting pause's buttons when its environment has approvers (its record is
/// kept first; without it, no buttons). `pause_id` holds the pause's opaque id.
pub(super) fn fresh<'a>(
    host: &mut impl Host,
    message: &Message,
    story: Option<&'a str>,
    event: &[u8],
    interactivity: Option<&Interactivity>,
    now: u64,
    pause_id: &'a mut Option<String>,
) -> Controls<'a> {
    let Some(interactivity) = interactivity else {
        return Controls::default();
    };
    *pause_id = waiting_pause(message, interactivity).and_then(|waiting| {
        let until = message.waits_for().map(|wait| now + wait);
        let pause = Pause {
            hook_id: waiting.hook_id.to_owned(),
            service_deployment: waiting.arn.to_owned(),
            environment: waiting.environment.to_owned(),
            thread: story.map(str::to_owned),
            event: kept_event(event)?,
        };
        pause::keep(host, &waiting.id, &pause, now, until)
            .ok()
            .map(|()| waiting.id)
    });
    Controls {
        ack: message.is_alert().then_some(story.unwrap_or_default()),
        pause: pause_id.as_deref(),
        ..Controls::default()
    }
}

/// The buttons of `thread`'s parent drawn again as `parent`, and what people did about it: the
/// pause's buttons while it waits and its record is kept (kept when it first posted; gone once
/// the pause ended, from Slack or by ECS's word).
pub(super) fn redrawn<'a>(
    host: &mut impl Host,
    parent: &Message,
    thread: &'a Thread,
    interactivity: Option<&Interactivity>,
    now: u64,
    pause_id: &'a mut Option<String>,
) -> Controls<'a> {
    let Some(interactivity) = interactivity else {
        return Controls {
            acks: &thread.acks,
            decision: thread.decision.as_ref(),
            ..Controls::default()
        };
    };
    // A person's decision drops them too ([`Controls`] draws no pause buttons beside it).
    let ended = thread.status.as_ref().is_some_and(|s| s.is_final());
    *pause_id = waiting_pause(parent, interactivity)
        .filter(|waiting| !ended && matches!(pause::find(host, &waiting.id, now), Ok(Some(_))))
        .map(|waiting| waiting.id);
    Controls {
        ack: parent.is_alert().then_some(thread.deployment.as_str()),
        pause: pause_id.as_deref(),
        acks: &thread.acks,
        decision: thread.decision.as_ref(),
    }
}

/// A pause that waits, as its buttons need it.
struct Waiting<'m> {
    /// The buttons' opaque id.
    id: String,
    hook_id: &'m str,
    arn: &'m str,
    environment: &'m str,
}

/// The waiting pause `message` tells of, when its environment has approvers and its ids read.
fn waiting_pause<'m>(message: &'m Message, interactivity: &Interactivity) -> Option<Waiting<'m>> {
    let Message::Hook {
        hook,
        news: HookNews::Waiting,
    } = message
    else {
        return None;
    };
    let environment = hook.service.environment;
    if !hook.is_pause() || !interactivity.approves(environment) {
        return None;
    }
    let (hook_id, arn) = (hook.plain_hook_id()?, hook.arn()?);
    Some(Waiting {
        id: interactivity.secret.opaque_id(hook_id),
        hook_id,
        arn,
        environment,
    })
}
