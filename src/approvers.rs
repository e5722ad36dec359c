//! Who may continue or roll back a paused deployment from Slack: `slack_approvers`, Slack user
//! IDs per environment, such as `production=U0123 U0456;*=U0789` (`*` for environments
//! without an entry of their own).

use crate::bot::UserId;
use crate::environment::environment_name;
use crate::routing::entries;

/// The approvers of each environment, and of the others.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Approvers {
    /// Each named environment's approvers.
    by_environment: Vec<(String, Vec<UserId>)>,
    /// The approvers of environments without an entry (`*`), if any.
    others: Option<Vec<UserId>>,
}

impl Approvers {
    /// Parses `ENV=USER USER;*=USER`. Errors name the entry; user IDs are not secrets.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut approvers = Self::default();
        for entry in entries(text) {
            let (name, value) = entry.ok_or("every entry needs the form ENV=USER_ID USER_ID")?;
            let users = value
                .split_whitespace()
                .map(|user| {
                    UserId::parse(user)
                        .map_err(|why| format!("entry `{}`: `{user}`: {why}", name.trim()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if users.is_empty() {
                return Err(format!("entry `{}=` names nobody", name.trim()));
            }
            if name.trim() == "*" {
                if approvers.others.replace(users).is_some() {
                    return Err("`*` appears twice".to_owned());
                }
                continue;
            }
            let name = environment_name(name)?;
            if approvers
                .by_environment
                .iter()
                .any(|(known, _)| *known == name)
            {
                return Err(format!("environment `{name}` appears twice"));
            }
            approvers.by_environment.push((name, users));
        }
        Ok(approvers)
    }

    /// Who may act on `environment`'s pauses: its own entry, else `*`'s; none when neither.
    pub fn of(&self, environment: &str) -> &[UserId] {
        self.by_environment
            .iter()
            .find(|(name, _)| name == environment)
            .map(|(_, users)| users.as_slice())
            .or(self.others.as_deref())
            .unwrap_or_default()
    }

    /// Whether `user` may act on `environment`'s pauses.
    pub fn admit(&self, environment: &str, user: &UserId) -> bool {
        self.of(environment).contains(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> UserId {
        UserId::parse(id).unwrap()
    }

    #[test]
    fn each_environment_has_its_approvers_and_star_the_rest() {
        let approvers = Approvers::parse(" production = U0123 W0456 ; *=U0789;").unwrap();
        assert_eq!(approvers.of("production"), [user("U0123"), user("W0456")]);
        assert_eq!(approvers.of("staging"), [user("U0789")]);
        assert!(approvers.admit("production", &user("W0456")));
        // An environment's own entry replaces `*`'s, it does not add to it.
        assert!(!approvers.admit("production", &user("U0789")));
        assert!(approvers.admit("development", &user("U0789")));
        let only_production = Approvers::parse("production=U0123").unwrap();
        assert!(only_production.of("staging").is_empty());
        assert!(Approvers::default().of("production").is_empty());
    }

    #[test]
    fn bad_entries_are_named() {
        for (text, expected) in [
            ("production", "ENV=USER_ID"),
            ("production=", "names nobody"),
            ("production=<@U0123>", "`<@U0123>`"),
            ("production=u0123", "`u0123`"),
            ("production=C0123", "`C0123`"),
            ("production=U1;production=U2", "appears twice"),
            ("*=U1;*=U2", "`*` appears twice"),
            ("prod env=U1", "environment name"),
        ] {
            let error = Approvers::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
