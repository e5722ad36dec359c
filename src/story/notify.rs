//! Which kinds of message post: the `notify` setting.

/// The kinds of message, as the `notify` setting names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A deployment failed.
    DeploymentFailed,
    /// Rolling back, rolled back, rollback failed.
    Rollback,
    /// A service action of level WARN or ERROR.
    ServiceAction,
    /// An ordinary deployment started.
    DeploymentStarted,
    /// An ordinary deployment completed.
    DeploymentCompleted,
    /// A pause hook waits for a person, and how the pause ended.
    HookWaiting,
    /// A hook that is not a pause failed; any hook timed out.
    HookFailed,
    /// A hook started running; a hook that is not a pause passed.
    HookProgress,
}

impl Kind {
    const ALL: [(Kind, &'static str); 8] = [
        (Kind::DeploymentFailed, "deployment_failed"),
        (Kind::Rollback, "rollback"),
        (Kind::ServiceAction, "service_action"),
        (Kind::DeploymentStarted, "deployment_started"),
        (Kind::DeploymentCompleted, "deployment_completed"),
        (Kind::HookWaiting, "hook_waiting"),
        (Kind::HookFailed, "hook_failed"),
        (Kind::HookProgress, "hook_progress"),
    ];

    /// The name `notify` uses.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Which kinds post: the `notify` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notify(u8);

impl Default for Notify {
    /// `deployment_failed,rollback,service_action,hook_waiting,hook_failed`.
    fn default() -> Self {
        let kinds = [
            Kind::DeploymentFailed,
            Kind::Rollback,
            Kind::ServiceAction,
            Kind::HookWaiting,
            Kind::HookFailed,
        ];
        Self(kinds.iter().fold(0, |bits, kind| bits | kind.bit()))
    }
}

impl Notify {
    /// Parses the full comma-separated list of kinds that post, or `none`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().eq_ignore_ascii_case("none") {
            return Ok(Self(0));
        }
        text.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .try_fold(Self(0), |Self(bits), name| {
                Kind::ALL
                    .iter()
                    .find(|(_, known)| known.eq_ignore_ascii_case(name))
                    .map(|(kind, _)| Self(bits | kind.bit()))
                    .ok_or_else(|| {
                        let known: Vec<&str> = Kind::ALL.iter().map(|(_, n)| *n).collect();
                        format!(
                            "unknown kind `{name}`; use `none` or some of {}",
                            known.join(", ")
                        )
                    })
            })
            .and_then(|notify| {
                if notify.0 == 0 {
                    Err("no kinds given; use `none` to post nothing".into())
                } else {
                    Ok(notify)
                }
            })
    }

    /// Whether messages of `kind` post.
    pub fn includes(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether messages of any of `kinds` post.
    pub fn includes_any(self, kinds: &[Kind]) -> bool {
        kinds.iter().any(|&kind| self.includes(kind))
    }

    /// Why a message of `kinds` does not post.
    pub fn left_out(self, kinds: &[Kind]) -> String {
        let names: Vec<String> = kinds
            .iter()
            .map(|kind| format!("`{}`", kind.name()))
            .collect();
        match names.as_slice() {
            [one] => format!("`notify` does not include {one}"),
            _ => format!("`notify` includes none of {}", names.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_lists_replace_the_default() {
        let default = Notify::default();
        assert!(default.includes(Kind::DeploymentFailed));
        assert!(default.includes(Kind::Rollback));
        assert!(default.includes(Kind::ServiceAction));
        assert!(default.includes(Kind::HookWaiting) && default.includes(Kind::HookFailed));
        assert!(!default.includes(Kind::DeploymentStarted));
        assert!(!default.includes(Kind::DeploymentCompleted));
        assert!(!default.includes(Kind::HookProgress));
        let hooks = Notify::parse("hook_progress").unwrap();
        assert!(hooks.includes(Kind::HookProgress) && !hooks.includes(Kind::HookWaiting));
        let only = Notify::parse(" deployment_completed , DEPLOYMENT_STARTED").unwrap();
        assert!(only.includes(Kind::DeploymentStarted) && only.includes(Kind::DeploymentCompleted));
        assert!(!only.includes(Kind::DeploymentFailed));
        let none = Notify::parse("none").unwrap();
        assert!(Kind::ALL.iter().all(|(kind, _)| !none.includes(*kind)));
        for bad in ["", " , ", "deployment_failed,oops", "all"] {
            assert!(Notify::parse(bad).is_err(), "{bad}");
        }
        assert!(Notify::parse("oops").unwrap_err().contains("`oops`"));
        // A kind named twice is still in.
        let twice = Notify::parse("rollback,deployment_failed,rollback").unwrap();
        assert!(twice.includes(Kind::Rollback) && twice.includes(Kind::DeploymentFailed));
    }
}
