//! Tests of what a message leaves out: a reply in a thread does not repeat what its parent
//! shows, and a message with many long causes keeps within Slack's bound on a message's text.

use std::borrow::Cow;

use serde_json::Value;

use super::*;
use crate::aws::{AccountId, Partition, Region};
use crate::classify::Deployment;
use crate::remembered::{Cause, StoppedTask};
use crate::story::causes::group_causes;

fn failed(reason: &str, cluster: &str) -> Deployment<'static> {
    Deployment {
        event_id: Cow::Borrowed("e2"),
        time: Cow::Borrowed("2026-11-27T00:05:00Z"),
        service: Service {
            account: AccountId::parse("111122223333").unwrap(),
            region: Region::parse("eu-west-1").unwrap(),
            partition: Partition::Aws,
            cluster: Some(cluster.to_owned()),
            name: "checkout".into(),
            environment: "production",
        },
        deployment_id: Some(Cow::Borrowed("ecs-svc/2")),
        reason: Some(Cow::Owned(reason.to_owned())),
    }
}

fn drawn(message: &Message, reply_to: Option<Parent>) -> Value {
    let groups = LogGroups::default();
    let mut look = Look::new(Some("<!here>"), &groups);
    look.reply_to = reply_to;
    serde_json::from_str(render(message, &look, &Address::default()).get()).unwrap()
}

fn texts(payload: &Value) -> String {
    payload["blocks"].to_string()
}

#[test]
fn a_reply_leaves_out_what_its_parent_shows() {
    let deployment = failed("tasks failed to start", "prod");
    let message = Message::DeploymentFailed {
        deployment: &deployment,
        why: Why::NothingRecorded,
        followed_by: None,
    };
    // Webhook messages and parents stand alone: the facts grid, the reason.
    let full = drawn(&message, None);
    assert!(texts(&full).contains("*Environment*") && texts(&full).contains("*Reason*"));
    // A reply under a parent that shows the same reason and deployment: neither again.
    let same = Parent {
        deployment: Some("ecs-svc/2"),
        reason: Some("tasks failed to start"),
    };
    let reply = drawn(&message, Some(same));
    let shown = texts(&reply);
    assert!(
        !shown.contains("*Environment*") && !shown.contains("*Reason*"),
        "{shown}"
    );
    assert!(!shown.contains("Deployment `"), "{shown}");
    // Its headline, its Why, its button and its mention stay.
    assert!(
        shown.contains("Deployment failed") && shown.contains("*Why*"),
        "{shown}"
    );
    assert!(
        shown.contains("Open in AWS console") && shown.contains("<!here>"),
        "{shown}"
    );
    // Under a parent of another deployment and reason: both are news.
    let other = Parent {
        deployment: Some("ecs-svc/1"),
        reason: Some("something else"),
    };
    let shown = texts(&drawn(&message, Some(other)));
    assert!(
        shown.contains("*Reason*") && shown.contains("Deployment `ecs-svc/2`"),
        "{shown}"
    );
    assert!(!shown.contains("*Environment*"), "{shown}");
}

#[test]
fn a_message_with_many_long_causes_keeps_within_the_bound() {
    let long = "x".repeat(5000);
    let mut deployment = failed(&long, &"c".repeat(255));
    deployment.deployment_id = Some(Cow::Owned(long.clone()));
    deployment.event_id = Cow::Owned(long.clone());
    let tasks: Vec<StoppedTask> = (0..10)
        .map(|n| StoppedTask {
            deployment: "ecs-svc/2".into(),
            task_id: format!("{n:032x}"),
            started_at: Some(1_795_737_600),
            stopped_at: 1_795_737_660 + n,
            cluster: Some("c".repeat(255)),
            task_definition: Some(format!("{}:{n}", "f".repeat(200))),
            image: Some("i".repeat(500)),
            cause: Cause {
                container: Some(format!("{}{}", "n".repeat(90), n % 5)),
                exit_code: Some(1),
                reason: Some(format!("{} {n}", "<".repeat(1000))),
            },
        })
        .collect();
    let message = Message::DeploymentFailed {
        deployment: &deployment,
        why: group_causes(&tasks),
        followed_by: None,
    };
    let payload = drawn(&message, None);
    let blocks = payload["blocks"].as_array().unwrap();
    let mut total = 0;
    for block in blocks {
        let mut pieces = vec![&block["text"]["text"]];
        pieces.extend(
            block["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| &f["text"]),
        );
        pieces.extend(
            block["elements"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| &e["text"]),
        );
        total += pieces
            .iter()
            .filter_map(|t| t.as_str())
            .map(|t| t.chars().count())
            .sum::<usize>();
    }
    assert!(total <= limits::MESSAGE, "{total} characters");
    // What did not fit is counted, not lost without a word.
    let shown = texts(&payload);
    assert!(shown.contains("more cause"), "{shown}");
}
