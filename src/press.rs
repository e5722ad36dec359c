//! A press of one of our buttons: which button (its `action_id` and value), who pressed it,
//! and on which message. A leaf: the messages draw the buttons, the interactions path reads the
//! presses.

use crate::bot::{ChannelId, UserId};
use crate::ecs_api::HookAction;

/// The `action_id` of "I'm on it".
pub const ACK: &str = "ack";
/// The `action_id` of a pause's "Continue".
pub const HOOK_CONTINUE: &str = "hook_continue";
/// The `action_id` of a pause's "Roll back".
pub const HOOK_ROLLBACK: &str = "hook_rollback";

/// A press of one of our buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Press {
    /// Who pressed.
    pub user: UserId,
    /// Which button, and its value.
    pub button: Pressed,
    /// The message the button is on (its channel and `ts`), when Slack says.
    pub message: Option<(ChannelId, String)>,
    /// Where Slack takes a note for the presser, as it gave it (checked before use).
    pub response_url: Option<String>,
}

/// Which of our buttons was pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pressed {
    /// "I'm on it", on a message of the story in this thread (empty: a message in none).
    Ack(String),
    /// A pause's button: the pause's opaque id, and what it asks for.
    Pause(String, HookAction),
}
