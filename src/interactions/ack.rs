//! "👀 I'm on it": the presser is kept with the story, its parent drawn again to show who is on
//! it (a second person is added, not swapped), and the thread told who and when.

use crate::answer::LogLine;
use crate::app::{self, Context};
use crate::host::Host;
use crate::press::Press;
use crate::remembered::Ack;
use crate::slack::ack_line;
use crate::state::thread as threads;

/// Acts on a press of "I'm on it" on a message of `story`'s thread (empty: a message in
/// none, whose own thread is told); the note for the presser, if any.
pub(super) fn ack(
    host: &mut impl Host,
    press: &Press,
    story: &str,
    context: &Context,
    log: &mut LogLine,
) -> Option<String> {
    let ack = Ack {
        user: press.user.clone(),
        at: context.now,
    };
    let line = ack_line(&ack);
    if story.is_empty() {
        // A message in no story: its own thread hears who is on it.
        let Some((channel, ts)) = &press.message else {
            log.press = Some("failed");
            return Some(FAILED.to_owned());
        };
        return match app::say(host, context, channel.as_str(), Some(ts), &line) {
            Ok(()) => {
                log.press = Some("acknowledged");
                None
            }
            Err(_) => {
                log.press = Some("failed");
                Some(FAILED.to_owned())
            }
        };
    }
    let thread = match threads::thread_of(host, story, context.now) {
        Ok(Some(thread)) => thread,
        Ok(None) => {
            log.press = Some("story_gone");
            return Some(
                "This deployment's story is no longer kept (stories are kept for 48 hours), so \
                 its alert cannot show who is on it."
                    .to_owned(),
            );
        }
        Err(_) => {
            log.press = Some("failed");
            return Some(FAILED.to_owned());
        }
    };
    if thread.is_on_it(&ack.user) {
        log.press = Some("acknowledged");
        return Some("You are on it already: the alert says so.".to_owned());
    }
    let user = ack.user.clone();
    let mut change = thread.clone();
    change.acks.push(ack);
    let mut kept = app::keep_and_redraw(host, &change, false, context, log);
    let said = app::say(host, context, &thread.channel, Some(&thread.ts), &line);
    // No claim guards a thread: a press on another instance that read the story before this
    // one wrote may have written over it since. Read it back once, and merge again if need be.
    if kept.is_ok() {
        let stored = threads::thread_of(host, story, context.now);
        if stored.is_ok_and(|stored| stored.is_some_and(|thread| !thread.is_on_it(&user))) {
            kept = app::keep_and_redraw(host, &change, false, context, log);
        }
    }
    match (kept, said) {
        (Ok(_), Ok(())) => {
            log.press = Some("acknowledged");
            None
        }
        _ => {
            log.press = Some("failed");
            Some(FAILED.to_owned())
        }
    }
}

/// The note when Slack or the store failed on the way.
const FAILED: &str = "Slack or the store did not take it just now: press again in a moment.";
