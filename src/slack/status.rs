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

/// Where the story stands, in words: `rolled back`.
fn words(status: &Status) -> &'static str {
    match status {
        Status::Failed => "failed",
        Status::RollingBack(_) => "rolling back",
        Status::RolledBack(_) => "rolled back",
        Status::RollbackFailed => "rollback failed",
        Status::Completed => "completed",
    }
}

/// The parent's own title, then where the story stands: `Deployment failed · rolled back`.
pub fn titled(title: &str, status: &Status) -> String {
    format!("{title} · {}", words(status))
}

/// The fallback text (what notifications and search show) of a parent drawn again: where the
/// story stands first, then the parent's own fallback without its icon: `✅ Rolled back: ECS
/// deployment failed in production: ...`.
pub fn fallback(status: &Status, own: &str) -> String {
    let told = own.split_once(' ').map_or(own, |(_, rest)| rest);
    let words = words(status);
    let mut text = String::with_capacity(told.len() + 32);
    text.push_str(icon(status));
    text.push(' ');
    text.push_str(&words[..1].to_ascii_uppercase());
    text.push_str(&words[1..]);
    text.push_str(": ");
    text.push_str(told);
    text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redrawn_parents_fallback_leads_with_where_the_story_stands() {
        let own = "🚨 ECS deployment failed in production: prod / checkout (us-east-1): boom";
        assert_eq!(
            fallback(&Status::RolledBack(None), own),
            "✅ Rolled back: ECS deployment failed in production: prod / checkout (us-east-1): boom"
        );
        assert!(fallback(&Status::RollbackFailed, own).starts_with("🚨 Rollback failed: ECS"));
        assert!(fallback(&Status::RollingBack(None), own).starts_with("↩️ Rolling back: ECS"));
    }
}
