//! What acting from Slack asks of a story's thread: a line in the thread, what people did kept
//! with the story (its parent drawn again), and a pause's own message drawn again once a
//! person ended it.

use serde_json::value::RawValue;

use crate::answer::LogLine;
use crate::classify::Fact;
use crate::error::Error;
use crate::host::{Host, StoreError};
use crate::remembered::HookNews;
use crate::slack::{self, Address, Controls, Look};
use crate::state::thread::{self as threads, Thread};
use crate::story::Message;
use crate::web_api::{Failure, POST_MESSAGE, UPDATE};

use super::calls::{Context, call};
use super::parent::{kept_fact, rewrite_kept};

/// Posts `text` (our own mrkdwn) in `channel`, in the thread of `thread_ts` if given.
pub fn say(
    host: &mut impl Host,
    context: &Context,
    channel: &str,
    thread_ts: Option<&str>,
    text: &str,
) -> Result<(), Failure> {
    let address = match thread_ts {
        Some(parent) => Address::reply(channel, parent, false),
        None => Address::channel(channel),
    };
    call(host, context, POST_MESSAGE, &slack::line(text, &address))
        .0
        .map(|_| ())
}

/// Keeps `change` with its story (merged with what the store holds) and draws the parent
/// again when what it shows changed, or anyway when `redraw` says so (its buttons changed);
/// the story as kept.
pub fn keep_and_redraw(
    host: &mut impl Host,
    change: &Thread,
    redraw: bool,
    context: &Context,
    log: &mut LogLine,
) -> Result<Thread, Error> {
    let kept = threads::update(host, change, redraw, context.now)
        .map_err(|StoreError| Error::StoreUnavailable)?;
    rewrite_kept(host, Ok(Some(kept.clone())), context, log).map(|()| kept)
}

/// Draws the waiting pause of the kept `event` again over its message (`channel`, `ts`), with
/// `controls` (who ended it, or no pause buttons once it is over); no mention, it paged once.
pub fn redraw_pause(
    host: &mut impl Host,
    context: &Context,
    event: &RawValue,
    (channel, ts): (&str, &str),
    controls: Controls,
) -> Result<(), Failure> {
    let Some(Fact::Hook(hook)) = kept_fact(event, context) else {
        return Ok(());
    };
    let message = Message::Hook {
        hook: &hook,
        news: HookNews::Waiting,
    };
    let mut look = Look::new(None, &context.config.log_groups);
    look.controls = controls;
    let payload = slack::render(&message, &look, &Address::update(channel, ts));
    call(host, context, UPDATE, &payload).0.map(|_| ())
}
