//! No input makes the pipeline panic: every fixture, cut at every byte, mutated at random
//! (deterministically), and with each of its values swapped for hostile ones. Every answer
//! is still well-formed JSON with a documented status.

mod common;

use common::Rng;
use std::fs;
use std::path::Path;

use ecs_deploy_alerts::memory::MemoryHost;
use serde_json::{Value, json};

const SETTINGS: &[(&str, &str)] = &[
    (
        "slack_webhook_url",
        "https://hooks.slack.com/services/T/B/X",
    ),
    ("allow_unauthenticated", "true"),
    ("account_environments", "444455556666=production"),
];

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut bodies: Vec<Vec<u8>> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| fs::read(path).unwrap())
        .collect();
    bodies.sort();
    bodies
}

/// Runs one body and checks the answer's shape; returns the status.
fn check(body: Vec<u8>) -> u16 {
    let mut host = MemoryHost::new(SETTINGS, body);
    let handled = host.handle("POST", "/", &[]);
    let status = handled.reply.status;
    assert!(matches!(status, 200 | 202 | 400), "status {status}");
    let answer: Value = serde_json::from_slice(&handled.reply.body).expect("answer is JSON");
    assert!(answer.is_object());
    match status {
        200 => {
            assert_eq!(host.posts.len(), 1);
            let payload: Value = serde_json::from_slice(&host.posts[0].payload).unwrap();
            assert!(payload["text"].is_string());
        }
        _ => assert!(host.posts.is_empty()),
    }
    status
}

#[test]
fn every_prefix_of_every_fixture() {
    for body in fixtures() {
        for len in 0..body.len() {
            check(body[..len].to_vec());
        }
    }
}

#[test]
fn random_byte_mutations() {
    const INTERESTING: &[u8] = b"\"\\{}[]:,<>&0-9eE.\x00\xff\xc3 ntf";
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut statuses = [0usize; 3];
    for body in fixtures() {
        for _ in 0..1500 {
            let mut mutated = body.clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(mutated.len().max(1));
                let byte = INTERESTING[rng.below(INTERESTING.len())];
                match rng.below(3) {
                    0 if !mutated.is_empty() => mutated[at] = byte,
                    1 if !mutated.is_empty() => {
                        mutated.remove(at);
                    }
                    _ => mutated.insert(at.min(mutated.len()), byte),
                }
            }
            let status = check(mutated);
            statuses[usize::from(status != 200) + usize::from(status == 400)] += 1;
        }
    }
    // The mutations exercise every kind of answer, not just the parser's first error.
    assert!(statuses.iter().all(|&n| n > 50), "{statuses:?}");
}

/// Every string, number or nested value replaced, one at a time, by hostile values.
#[test]
fn hostile_values_in_every_field() {
    let hostile = [
        json!(null),
        json!(""),
        json!(0),
        json!(-1.5e300),
        json!(true),
        json!([]),
        json!({}),
        json!(["arn:aws:ecs:us-west-2:111122223333:service/a/b", 1]),
        json!("<!channel> & <https://x|y>"),
        json!("\u{0000}\u{202e}\u{fffd}𝄞"),
        json!("x".repeat(100_000)),
        json!("é".repeat(5_000)),
        json!("arn:aws:ecs:us-west-2:111122223333:service/"),
        json!("arn:aws:ecs:::service/c/s"),
        json!("arn:aws-iso-b:ecs:us-isob-east-1:111122223333:service/c/s"),
        json!(format!(
            "arn:aws:ecs:us-west-2:111122223333:service/{}/s",
            "<&>".repeat(85)
        )),
    ];
    let mut runs = 0;
    for body in fixtures() {
        let event: Value = serde_json::from_slice(&body).unwrap();
        let mut paths = Vec::new();
        collect_paths(&event, &mut Vec::new(), &mut paths);
        for path in paths {
            for value in &hostile {
                let mut mutated = event.clone();
                *pointer(&mut mutated, &path) = value.clone();
                check(serde_json::to_vec(&mutated).unwrap());
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "{runs}");
}

fn collect_paths(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                at.push(key.clone());
                out.push(at.clone());
                collect_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                out.push(at.clone());
                collect_paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn pointer<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(value, |v, key| match v {
        Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
        other => &mut other[key.as_str()],
    })
}
