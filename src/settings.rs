//! The configuration keys the component reads from `wasi:config/store`, and their raw values
//! as the host served them; [`crate::config`] parses them into typed configuration.

use crate::error::Error;
use crate::host::ConfigStoreError;
use crate::routing::Routes;

/// Slack incoming-webhook URL (secret).
pub const SLACK_WEBHOOK_URL: &str = "slack_webhook_url";
/// The Slack app's bot token (secret): app mode, one thread per deployment.
pub const SLACK_BOT_TOKEN: &str = "slack_bot_token";
/// The channel ID app mode posts to, for environments without a route of their own.
pub const SLACK_CHANNEL: &str = "slack_channel";
/// Where the Slack Web API is (default `https://slack.com/api`).
pub const SLACK_API_URL: &str = "slack_api_url";
/// `true`: log the Slack payload instead of sending it.
pub const DRY_RUN: &str = "dry_run";
/// The EventBridge Connection's API key (secret).
pub const API_KEY: &str = "api_key";
/// The header that carries the API key (default `x-api-key`).
pub const API_KEY_HEADER: &str = "api_key_header";
/// The Connection's Basic user name.
pub const BASIC_AUTH_USERNAME: &str = "basic_auth_username";
/// The Connection's Basic password (secret).
pub const BASIC_AUTH_PASSWORD: &str = "basic_auth_password";
/// `true`: accept callers without credentials (local use only).
pub const ALLOW_UNAUTHENTICATED: &str = "allow_unauthenticated";
/// Override of the name-based environment rules.
pub const ENVIRONMENT_RULES: &str = "environment_rules";
/// `ACCOUNT=ENV,...`: environments by AWS account; wins over the name rules.
pub const ACCOUNT_ENVIRONMENTS: &str = "account_environments";
/// The kinds of message that post (comma-separated), or `none`.
pub const NOTIFY: &str = "notify";
/// `ENV=WEBHOOK_URL_OR_CHANNEL_ID;...`: a webhook or a channel per environment (secret).
pub const SLACK_ROUTES: &str = "slack_routes";
/// `ENV=MENTION MENTION;...`: whom alerts mention, per environment.
pub const MENTIONS: &str = "mentions";
/// `FAMILY=LOG_GROUP[:STREAM_PREFIX];...`: where each task definition family logs.
pub const LOG_GROUPS: &str = "log_groups";

/// The Slack app's signing secret (secret): turns on the buttons and `/slack/interactions`.
pub const SLACK_SIGNING_SECRET: &str = "slack_signing_secret";
/// `ENV=USER_ID USER_ID;*=USER_ID`: who may continue or roll back a paused deployment.
pub const SLACK_APPROVERS: &str = "slack_approvers";
/// The access key id that signs ECS calls (`ecs:ContinueServiceDeployment` only).
pub const AWS_ACCESS_KEY_ID: &str = "aws_access_key_id";
/// Its secret access key (secret).
pub const AWS_SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
/// Where ECS's API is, for every region (default `https://ecs.REGION.amazonaws.com`).
pub const ECS_API_URL: &str = "ecs_api_url";

/// Every key the component reads, in the order `/health` reports them.
pub const KEYS: [&str; 21] = [
    SLACK_WEBHOOK_URL,
    SLACK_BOT_TOKEN,
    SLACK_CHANNEL,
    SLACK_API_URL,
    DRY_RUN,
    API_KEY,
    API_KEY_HEADER,
    BASIC_AUTH_USERNAME,
    BASIC_AUTH_PASSWORD,
    ALLOW_UNAUTHENTICATED,
    ENVIRONMENT_RULES,
    ACCOUNT_ENVIRONMENTS,
    NOTIFY,
    SLACK_ROUTES,
    MENTIONS,
    LOG_GROUPS,
    SLACK_SIGNING_SECRET,
    SLACK_APPROVERS,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    ECS_API_URL,
];

/// The keys that admit a caller presenting the configured API key (EventBridge's usual
/// Connection): read first.
pub const API_KEY_KEYS: [&str; 2] = [API_KEY, API_KEY_HEADER];

/// The rest of the keys that decide who may call: read when the API key did not admit the
/// caller, so that a refusal is decided on the whole authentication configuration.
pub const OTHER_AUTH_KEYS: [&str; 3] = [
    BASIC_AUTH_USERNAME,
    BASIC_AUTH_PASSWORD,
    ALLOW_UNAUTHENTICATED,
];

/// The keys an ECS event needs once the caller is in: delivery, environments, what posts.
pub const ALERT_KEYS: [&str; 9] = [
    SLACK_WEBHOOK_URL,
    SLACK_CHANNEL,
    DRY_RUN,
    ENVIRONMENT_RULES,
    ACCOUNT_ENVIRONMENTS,
    NOTIFY,
    SLACK_ROUTES,
    MENTIONS,
    LOG_GROUPS,
];

/// The keys of the Slack app, read only when a channel is configured (`slack_channel`, or
/// `slack_routes`, whose values may be channels): webhook mode never pays for them.
pub const APP_KEYS: [&str; 3] = [SLACK_BOT_TOKEN, SLACK_API_URL, SLACK_SIGNING_SECRET];

/// The keys of acting from Slack beyond the signing secret, read only when it is set.
pub const ACTION_KEYS: [&str; 4] = [
    SLACK_APPROVERS,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    ECS_API_URL,
];

/// The raw values of [`KEYS`] as the host served them, for the keys read so far; empty
/// values count as unset. Each lookup costs the host a resolution through its variable
/// providers, so a request reads only the keys its path needs ([`API_KEY_KEYS`], then
/// [`OTHER_AUTH_KEYS`] unless the API key admitted the caller, then [`ALERT_KEYS`], and
/// [`APP_KEYS`] when a channel may be configured, and [`ACTION_KEYS`] when the signing secret
/// is set);
/// `/health` reads them all.
///
/// Deliberately not `Debug`: several values are secrets.
#[derive(Default)]
pub struct Settings {
    values: [Option<String>; KEYS.len()],
}

impl Settings {
    /// Reads every known key through `get`.
    pub fn read(
        get: impl FnMut(&str) -> Result<Option<String>, ConfigStoreError>,
    ) -> Result<Self, Error> {
        let mut settings = Self::default();
        settings.fetch(&KEYS, get)?;
        Ok(settings)
    }

    /// Reads `keys` through `get`, in that order.
    pub fn fetch(
        &mut self,
        keys: &[&'static str],
        mut get: impl FnMut(&str) -> Result<Option<String>, ConfigStoreError>,
    ) -> Result<(), Error> {
        for &key in keys {
            let at = KEYS.iter().position(|k| *k == key).expect("a known key");
            self.values[at] = get(key)
                .map_err(|ConfigStoreError| Error::ConfigUnavailable(key))?
                // A secret pasted with a newline would otherwise never match a header.
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
        }
        Ok(())
    }

    /// Settings from literal pairs; keys not in [`KEYS`] are ignored.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        let found = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        };
        Self::read(|key| Ok(found(key))).expect("literal pairs never fail")
    }

    /// The value of `key`, if set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        KEYS.iter()
            .position(|k| *k == key)
            .and_then(|i| self.values[i].as_deref())
    }

    /// Whether [`APP_KEYS`] are needed: a channel is configured, as `slack_channel` or as a
    /// route's value.
    pub fn may_use_app(&self) -> bool {
        self.get(SLACK_CHANNEL).is_some()
            || self.get(SLACK_ROUTES).is_some_and(Routes::name_a_channel)
    }

    /// Which keys are set: names and booleans only, safe to show anyone.
    pub fn presence(&self) -> impl Iterator<Item = (&'static str, bool)> + '_ {
        KEYS.iter()
            .zip(&self.values)
            .map(|(k, v)| (*k, v.is_some()))
    }

    /// A boolean key: `true`/`false` (also `1`/`0`, `yes`/`no`), unset meaning false.
    pub fn flag(&self, key: &'static str) -> Result<bool, Error> {
        let Some(value) = self.get(key) else {
            return Ok(false);
        };
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(Error::ConfigInvalid {
                key,
                reason: "expected true or false".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset_and_values_are_trimmed() {
        let settings = Settings::from_pairs(&[(API_KEY, "  "), (DRY_RUN, "")]);
        assert_eq!(settings.get(API_KEY), None);
        assert!(settings.presence().all(|(_, set)| !set));
        let settings = Settings::from_pairs(&[(API_KEY, " s3cret\n")]);
        assert_eq!(settings.get(API_KEY), Some("s3cret"));
    }

    #[test]
    fn the_phases_read_every_key_once() {
        let mut phases: Vec<&str> = [
            &API_KEY_KEYS[..],
            &OTHER_AUTH_KEYS,
            &ALERT_KEYS,
            &APP_KEYS,
            &ACTION_KEYS,
        ]
        .concat();
        phases.sort_unstable();
        let mut all = KEYS.to_vec();
        all.sort_unstable();
        assert_eq!(phases, all);
        let mut read = Vec::new();
        let mut settings = Settings::default();
        settings
            .fetch(&API_KEY_KEYS, |key| {
                read.push(key.to_owned());
                Ok(Some(format!(" {key} ")))
            })
            .unwrap();
        assert_eq!(read, API_KEY_KEYS);
        assert_eq!(settings.get(API_KEY), Some("api_key"));
        assert_eq!(settings.get(SLACK_WEBHOOK_URL), None);
    }

    #[test]
    fn store_failure_names_the_key() {
        let result = Settings::read(|key| {
            if key == API_KEY {
                Err(ConfigStoreError)
            } else {
                Ok(None)
            }
        });
        assert_eq!(result.err(), Some(Error::ConfigUnavailable(API_KEY)));
    }

    #[test]
    fn flags_accept_common_spellings_and_reject_others() {
        for (value, expected) in [("true", true), ("TRUE", true), ("1", true), ("no", false)] {
            let settings = Settings::from_pairs(&[(DRY_RUN, value)]);
            assert_eq!(settings.flag(DRY_RUN), Ok(expected), "{value}");
        }
        let settings = Settings::from_pairs(&[(DRY_RUN, "maybe")]);
        let error = settings.flag(DRY_RUN).unwrap_err();
        assert_eq!(error.status(), 500);
        assert!(error.to_string().contains("`dry_run`"));
    }
}
