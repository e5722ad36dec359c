//! A thread's parent drawn again as its story moves: the header says where the story stands,
//! and a status line under it says so in words.

use super::mrkdwn::push_code;
use crate::remembered::Status;

/// The header's icon for a story that stands at `status`.
pub fn icon(status: &Status) -> &'static str {
    match status {
        Status::Failed | Status::RollbackFailed => "🚨",
        Status::RollingBack(_) => "↩️",
        Status::RolledBack(_) | Status::Completed => "✅",
    }
}

/// The parent's own title, then where the story stands: `Deployment failed · rolled back`.
pub fn titled(title: &str, status: &Status) -> String {
    let words = match status {
        Status::Failed => "failed",
        Status::RollingBack(_) => "rolling back",
        Status::RolledBack(_) => "rolled back",
        Status::RollbackFailed => "rollback failed",
        Status::Completed => "completed",
    };
    format!("{title} · {words}")
}

/// The status line: `*Status:* rolled back ✅ steady on `ecs-svc/1``.
pub fn line(status: &Status) -> String {
    let mut text = String::from("*Status:* ");
    let to = |text: &mut String, words: &str, deployment: &Option<String>| {
        text.push_str(words);
        match deployment {
            Some(deployment) => push_code(text, deployment, 100),
            None => text.push_str("the previous deployment"),
        }
    };
    match status {
        Status::Failed => text.push_str("failed 🚨"),
        Status::RollingBack(target) => to(&mut text, "rolling back to ", target),
        Status::RolledBack(steady_on) => to(&mut text, "rolled back ✅ steady on ", steady_on),
        Status::RollbackFailed => text.push_str("rollback failed 🚨"),
        Status::Completed => text.push_str("completed ✅"),
    }
    text
}
