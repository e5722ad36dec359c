//! `GET /health`: whether alerts can be delivered, for a readiness probe and for people.

use serde::Serialize;

use crate::answer::{Handled, LogLine, json_reply, to_json};
use crate::config::{AlertConfig, Config, Delivery};
use crate::error::Error;
use crate::host::{Host, RequestHead};
use crate::settings::Settings;

/// The component's version, shown by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The key `/health` reads to see that the store answers; never written.
const HEALTH_PROBE_KEY: &str = "ecs-deploy-alerts/health";

/// `GET /health`: 200 when alerts can be delivered, 503 when not (a readiness probe's
/// answer). A store fault makes it `degraded` but still ready: alerts still go out, without
/// their detail and duplicate suppression. Anyone sees the status and readiness; callers with
/// valid credentials also see the version, which settings are set (booleans only) and the
/// problems, if any.
pub fn health(head: &RequestHead, host: &mut impl Host) -> Handled {
    #[derive(Serialize)]
    struct HealthAnswer {
        status: &'static str,
        ready: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<&'static str>,
        /// Which settings are set (booleans only), in the order of the configuration table.
        #[serde(skip_serializing_if = "Option::is_none")]
        settings: Option<Flags>,
        #[serde(skip_serializing_if = "Option::is_none")]
        problem: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        store: Option<&'static str>,
        /// The environments with a route of their own (never a URL nor a channel).
        #[serde(skip_serializing_if = "Option::is_none")]
        routes: Option<Vec<String>>,
        /// How each environment with a route of its own, and `*` for the others, reaches
        /// Slack: `app` or `webhook`.
        #[serde(skip_serializing_if = "Option::is_none")]
        modes: Option<Flags<&'static str>>,
        /// Acting from Slack: whether its buttons are on (the signing secret, in app mode),
        /// and whether pauses get theirs (approvers and an AWS key). Never a secret.
        #[serde(skip_serializing_if = "Option::is_none")]
        interactivity: Option<Flags>,
    }
    /// Names and values, as one JSON object in their order.
    struct Flags<T = bool>(Vec<(String, T)>);
    impl<T: Serialize> Serialize for Flags<T> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(name, set)| (name, set)))
        }
    }
    let mut answer = HealthAnswer {
        status: "ok",
        ready: true,
        version: None,
        settings: None,
        problem: None,
        store: None,
        routes: None,
        modes: None,
        interactivity: None,
    };
    // One read, never a write: enough to know the store answers.
    let store_failed = host.get(HEALTH_PROBE_KEY).is_err();
    let problem = match Settings::read(|key| host.config(key)) {
        Err(error) => Some(error),
        Ok(settings) => match Config::parse(&settings) {
            // Without a working policy nobody can authenticate: no details.
            Err(error) => Some(error),
            Ok(config) => {
                let problem = config.alerts.as_ref().err().cloned();
                if config.auth.authenticate(head).is_ok() {
                    answer.version = Some(VERSION);
                    answer.settings = Some(Flags(
                        settings
                            .presence()
                            .map(|(key, set)| (key.to_owned(), set))
                            .collect(),
                    ));
                    answer.problem = problem.as_ref().map(Error::to_string);
                    if let Ok(AlertConfig {
                        delivery: Delivery::Slack(routes),
                        interactivity,
                        ..
                    }) = &config.alerts
                    {
                        let approvals = interactivity.as_ref().is_some_and(|i| i.ecs.is_some());
                        answer.interactivity = Some(Flags(vec![
                            ("buttons".to_owned(), interactivity.is_some()),
                            ("approvals".to_owned(), approvals),
                        ]));
                        answer.routes = Some(
                            routes
                                .environments()
                                .into_iter()
                                .map(str::to_owned)
                                .collect(),
                        );
                        answer.modes = Some(Flags(
                            routes
                                .modes()
                                .into_iter()
                                .map(|(name, mode)| (name.to_owned(), mode))
                                .collect(),
                        ));
                    }
                    answer.store = store_failed.then_some(
                        "the key-value store `default` is unavailable: alerts go out without \
                         their causes and without duplicate suppression",
                    );
                }
                problem
            }
        },
    };
    if problem.is_some() {
        answer.status = "misconfigured";
        answer.ready = false;
    } else if store_failed {
        answer.status = "degraded";
    }
    let body = to_json(&answer);
    let reply = json_reply(if answer.ready { 200 } else { 503 }, Vec::new(), body);
    let log = LogLine {
        outcome: "health",
        status: reply.status,
        store: store_failed.then_some("unavailable"),
        ..LogLine::default()
    };
    Handled {
        reply,
        log,
        prune: false,
        press: None,
    }
}
