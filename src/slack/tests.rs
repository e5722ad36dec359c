//! The limits every message keeps whatever the event holds: the fallback text and the
//! header, for the longest values ECS allows.

use super::*;
use crate::remembered::Rollback;
use crate::story::Message;
use crate::story::causes::Why;

#[test]
fn the_fallback_text_stays_within_its_limit_for_the_longest_values() {
    use crate::aws::{AccountId, Partition, Region};
    use crate::classify::{Deployment, Service};
    use std::borrow::Cow;
    let longest = "<".repeat(255);
    let environment = "e".repeat(64);
    let deployment = Deployment {
        event_id: Cow::Owned("<".repeat(5000)),
        time: Cow::Owned("&".repeat(5000)),
        service: Service {
            account: AccountId::parse("111122223333").unwrap(),
            region: Region::parse(&format!("a{}", "b".repeat(31))).unwrap(),
            partition: Partition::Aws,
            cluster: Some(longest.clone()),
            name: longest,
            environment: &environment,
        },
        deployment_id: Some(Cow::Owned(">".repeat(5000))),
        reason: Some(Cow::Owned("&".repeat(10_000))),
    };
    let rollback = Rollback {
        deployment: Some("d".into()),
        target: Some("t".repeat(5000)),
        failed: Some("f".repeat(5000)),
        at: None,
    };
    for message in [
        Message::DeploymentFailed {
            deployment: &deployment,
            why: Why::NothingRecorded,
            followed_by: None,
        },
        Message::RollingBack {
            deployment: &deployment,
            rollback: rollback.clone(),
        },
        Message::RolledBack {
            deployment: &deployment,
            rollback,
        },
        Message::DeploymentStarted(&deployment),
    ] {
        // As posted, and as a thread's parent drawn again, which says where its story stands.
        for status in [None, Some(Status::RollbackFailed)] {
            let groups = LogGroups::default();
            let mut look = Look::new(None, &groups);
            look.status = status.as_ref();
            let payload: serde_json::Value =
                serde_json::from_str(render(&message, &look, &Address::default()).get()).unwrap();
            let text = payload["text"].as_str().unwrap();
            assert!(text.chars().count() <= limits::FALLBACK, "{}", text.len());
            let header = payload["blocks"][0]["text"]["text"].as_str().unwrap();
            assert!(header.chars().count() <= limits::HEADER, "{header}");
        }
    }
}

/// Every header of every kind of message, for the longest values ECS allows (service
/// and cluster names of 255 characters, deployment ids without bound, action names),
/// stays within Slack's limit as Slack counts it: in code points, so an icon such as
/// `↩️` (U+21A9 U+FE0F) counts two. Past the limit Slack refuses the whole message.
#[test]
fn every_header_stays_within_its_limit_for_the_longest_names() {
    use crate::aws::{AccountId, Partition, Region};
    use crate::classify::{Action, Deployment, Level, Service};
    use std::borrow::Cow;
    let environment = "e".repeat(64);
    let long_id = format!("ecs-svc/{}", "9".repeat(500));
    // The longest target a rollback's reason yields (`ecs-svc/` and 64 characters), and
    // a deployment id of any length.
    let targets = [
        None,
        Some(format!("ecs-svc/{}", "7".repeat(64))),
        Some(long_id.clone()),
    ];
    let mut over = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    // Escapes take several characters each and so cut elsewhere: plain names, escaped
    // ones, and names of multi-byte characters.
    for letter in ['a', '<', 'é'] {
        for len in 1..=255 {
            let service = Service {
                account: AccountId::parse("111122223333").unwrap(),
                region: Region::parse("us-east-1").unwrap(),
                partition: Partition::Aws,
                cluster: Some("c".repeat(255)),
                name: std::iter::repeat_n(letter, len).collect(),
                environment: &environment,
            };
            let deployment = Deployment {
                event_id: Cow::Borrowed("e"),
                time: Cow::Borrowed("t"),
                service: service.clone(),
                deployment_id: Some(Cow::Borrowed(&long_id)),
                reason: Some(Cow::Borrowed("r")),
            };
            let no_id = Deployment {
                deployment_id: None,
                ..deployment.clone()
            };
            let actions: Vec<Action> = [Level::Error, Level::Warn]
                .into_iter()
                .flat_map(|level| {
                    [
                        "SERVICE_TASK_PLACEMENT_FAILURE".to_owned(),
                        "X_".repeat(128),
                    ]
                    .map(|name| Action {
                        event_id: Cow::Borrowed("e"),
                        time: Cow::Borrowed("t"),
                        service: service.clone(),
                        level,
                        name: Cow::Owned(name),
                        reason: None,
                    })
                })
                .collect();
            let mut messages = vec![
                Message::DeploymentFailed {
                    deployment: &deployment,
                    why: Why::NothingRecorded,
                    followed_by: None,
                },
                Message::DeploymentStarted(&deployment),
                Message::DeploymentCompleted(&deployment),
            ];
            for target in &targets {
                let rollback = Rollback {
                    deployment: Some(long_id.clone()),
                    target: target.clone(),
                    failed: Some(long_id.clone()),
                    at: None,
                };
                messages.push(Message::RollbackFailed {
                    deployment: &deployment,
                    rollback: rollback.clone(),
                    why: Why::NothingRecorded,
                });
                messages.push(Message::RollingBack {
                    deployment: &deployment,
                    rollback: rollback.clone(),
                });
                for deployment in [&deployment, &no_id] {
                    messages.push(Message::RolledBack {
                        deployment,
                        rollback: rollback.clone(),
                    });
                }
            }
            messages.extend(actions.iter().map(Message::ServiceAction));
            for message in &messages {
                let payload: serde_json::Value = serde_json::from_str(
                    render(
                        message,
                        &Look::new(None, &LogGroups::default()),
                        &Address::default(),
                    )
                    .get(),
                )
                .unwrap();
                let header = payload["blocks"][0]["text"]["text"].as_str().unwrap();
                let count = header.chars().count();
                if count > limits::HEADER {
                    let kind: Vec<&str> = header.split(' ').take(3).collect();
                    kinds.insert(kind.join(" "));
                    over.push(format!(
                        "{count} code points, name of {len} {letter:?}: {header}"
                    ));
                }
            }
        }
    }
    assert!(
        over.is_empty(),
        "{} headers over {} ({kinds:?}), the first: {}, the last: {}",
        over.len(),
        limits::HEADER,
        over.first().map_or("", String::as_str),
        over.last().map_or("", String::as_str)
    );
}

/// A service action's name comes from the event: an unknown one, put in words, must reach
/// the fallback text (which Slack reads as markup: it notifies) escaped like every other
/// value, so it cannot ping the channel or disguise a link.
#[test]
fn an_unknown_action_name_cannot_ping_or_link() {
    use crate::aws::{AccountId, Partition, Region};
    use crate::classify::{Action, Level, Service};
    use std::borrow::Cow;
    let action = Action {
        event_id: Cow::Borrowed("e"),
        time: Cow::Borrowed("t"),
        service: Service {
            account: AccountId::parse("111122223333").unwrap(),
            region: Region::parse("us-west-2").unwrap(),
            partition: Partition::Aws,
            cluster: Some("default".into()),
            name: "servicetest".into(),
            environment: "unknown",
        },
        level: Level::Error,
        name: Cow::Borrowed("<!channel> ROLLING_BACK <https://evil.example|docs> & more"),
        reason: None,
    };
    let rendered = render(
        &Message::ServiceAction(&action),
        &Look::new(None, &LogGroups::default()),
        &Address::default(),
    );
    let payload: serde_json::Value = serde_json::from_str(rendered.get()).unwrap();
    let fallback = payload["text"].as_str().unwrap();
    assert!(
        !fallback.contains('<') && !fallback.contains('>'),
        "{fallback}"
    );
    assert!(
        fallback.contains("&lt;!channel&gt;") && fallback.contains("&amp; more"),
        "{fallback}"
    );
}
