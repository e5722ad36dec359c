//! Every fixture through the whole pipeline, compared with its reviewed expectation in
//! `fixtures/expected/` (status, JSON answer and the exact Slack payload), and every scenario
//! of `fixtures/scenarios/` (several events through one store) with `fixtures/expected/scenarios/`.
//!
//! After a deliberate change, `UPDATE_EXPECT=1 cargo test --test fixtures` rewrites the
//! expectations; review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use ecs_deploy_alerts::delivery::SLACK_TIMEOUTS;
use ecs_deploy_alerts::host::SlackResponse;
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore, START_OF_TIME};
use serde_json::{Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture settings: the same file the end-to-end suite configures the component with.
fn settings() -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("fixtures/expected/config.json")).unwrap();
    let config: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    config
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
        .collect()
}

/// The `.json` files of a folder of the repository, in name order; at least `least`.
fn json_files(folder: &str, least: usize) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join(folder))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= least, "{folder} went missing: {paths:?}");
    paths
}

fn fixtures() -> Vec<PathBuf> {
    json_files("fixtures", 16)
}

/// What the pipeline did with one fixture, in the expectation files' shape.
fn run(fixture: &Path) -> Value {
    run_step(
        fixture,
        &settings(),
        &MemoryStore::default(),
        200,
        START_OF_TIME,
    )
}

/// Posts `fixture` with `settings` to a host that sees `store` and whose Slack answers
/// `slack_status`, at `now`.
fn run_step(
    fixture: &Path,
    settings: &[(String, String)],
    store: &MemoryStore,
    slack_status: u16,
    now: u64,
) -> Value {
    let pairs: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let api_key = settings
        .iter()
        .find(|(k, _)| k == "api_key")
        .unwrap()
        .1
        .clone();
    let mut host = MemoryHost::new(&pairs, fs::read(fixture).unwrap());
    host.store = Some(store.clone());
    host.now = now;
    host.slack = Ok(SlackResponse {
        status: slack_status,
        retry_after: None,
        body: if slack_status == 200 {
            b"ok".to_vec()
        } else {
            Vec::new()
        },
    });
    let handled = host.handle(
        "POST",
        "/",
        &[
            ("content-type", "application/json; charset=utf-8"),
            ("user-agent", "Amazon/EventBridge/ApiDestinations"),
            ("x-api-key", &api_key),
        ],
    );
    let slack = match host.posts.as_slice() {
        [] => Value::Null,
        [post] => {
            assert_eq!(post.scheme, "https");
            assert_eq!(post.authority, "hooks.slack.com");
            assert_eq!(post.timeouts, SLACK_TIMEOUTS);
            serde_json::from_slice(&post.payload).unwrap()
        }
        more => panic!("{} posts for one event", more.len()),
    };
    json!({
        "status": handled.reply.status,
        "response": serde_json::from_slice::<Value>(&handled.reply.body).unwrap(),
        "slack": slack,
    })
}

/// Every scenario: (file name, settings, steps as (fixture, Slack's status)).
type Scenario = (String, Vec<(String, String)>, Vec<(PathBuf, u16)>);

fn scenarios() -> Vec<Scenario> {
    json_files("fixtures/scenarios", 6)
        .into_iter()
        .map(|path| {
            let scenario: Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            let mut settings = settings();
            if let Some(extra) = scenario["settings"].as_object() {
                for (key, value) in extra {
                    settings.retain(|(k, _)| k != key);
                    settings.push((key.clone(), value.as_str().unwrap().to_owned()));
                }
            }
            let steps = scenario["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|step| {
                    let fixture = root().join("fixtures").join(step["post"].as_str().unwrap());
                    assert!(
                        fixture.exists(),
                        "{}: {}",
                        path.display(),
                        fixture.display()
                    );
                    (fixture, step["slack"].as_u64().unwrap_or(200) as u16)
                })
                .collect();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, settings, steps)
        })
        .collect()
}

/// One scenario through one store, a second apart per step: each step's result, named.
fn run_scenario(settings: &[(String, String)], steps: &[(PathBuf, u16)]) -> Value {
    let store = MemoryStore::default();
    let results = steps
        .iter()
        .enumerate()
        .map(|(i, (fixture, slack_status))| {
            let mut result = run_step(
                fixture,
                settings,
                &store,
                *slack_status,
                START_OF_TIME + i as u64,
            );
            result["post"] = json!(fixture.file_name().unwrap().to_string_lossy());
            result
        })
        .collect();
    Value::Array(results)
}

/// Compares `actual` with the reviewed file at `path` (or rewrites it under UPDATE_EXPECT).
fn compare(path: &Path, actual: &Value, mismatches: &mut Vec<String>) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, serde_json::to_string_pretty(actual).unwrap() + "\n").unwrap();
        return;
    }
    let expected: Value = fs::read_to_string(path)
        .map(|text| serde_json::from_str(&text).unwrap())
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_EXPECT=1", path.display()));
    if *actual != expected {
        mismatches.push(format!(
            "{}:\n  expected {expected}\n  actual   {actual}",
            path.display()
        ));
    }
}

#[test]
fn every_scenario_matches_its_reviewed_expectation() {
    let mut mismatches = Vec::new();
    for (name, settings, steps) in scenarios() {
        let path = root().join("fixtures/expected/scenarios").join(&name);
        compare(&path, &run_scenario(&settings, &steps), &mut mismatches);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_fixture_matches_its_reviewed_expectation() {
    let mut mismatches = Vec::new();
    for fixture in fixtures() {
        let path = root()
            .join("fixtures/expected")
            .join(fixture.file_name().unwrap());
        compare(&path, &run(&fixture), &mut mismatches);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The reviewed files themselves keep Slack's rules: an independent check of every payload
/// as committed, whatever the code now renders.
#[test]
fn every_reviewed_payload_keeps_block_kit_limits_and_escaping() {
    let mut checked = 0;
    let expected = root().join("fixtures/expected");
    let files = fixtures()
        .into_iter()
        .map(|f| expected.join(f.file_name().unwrap()))
        .chain(
            scenarios()
                .into_iter()
                .map(|(name, ..)| expected.join("scenarios").join(name)),
        );
    for path in files {
        let name = path.display().to_string();
        let Ok(text) = fs::read_to_string(&path) else {
            continue; // the snapshot tests report missing expectations
        };
        let results: Value = serde_json::from_str(&text).unwrap();
        let results = match results {
            Value::Array(steps) => steps,
            one => vec![one],
        };
        for result in results {
            if let Some(message) = result["slack"].as_object() {
                check_message(&name, message);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} payloads checked");
}

fn check_message(name: &str, message: &serde_json::Map<String, Value>) {
    let text = message["text"].as_str().unwrap();
    assert!(!text.is_empty() && text.chars().count() <= 1000, "{name}");
    assert_escaped(name, text);
    assert_eq!(message["unfurl_links"], false, "{name}");
    assert_eq!(message["unfurl_media"], false, "{name}");
    let blocks = message["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50, "{name}");
    let mut texts = Vec::new();
    for block in blocks {
        match block["type"].as_str().unwrap() {
            "header" => {
                assert_eq!(block["text"]["type"], "plain_text", "{name}");
                let t = block["text"]["text"].as_str().unwrap();
                assert!(t.chars().count() <= 150, "{name}: header");
                assert_escaped(name, t);
            }
            "section" => {
                if !block["text"].is_null() {
                    texts.push((&block["text"], 3000));
                }
                if let Some(fields) = block["fields"].as_array() {
                    assert!(fields.len() <= 10, "{name}: fields");
                    texts.extend(fields.iter().map(|f| (f, 2000)));
                }
            }
            "actions" => {
                let button = &block["elements"][0];
                assert!(button["text"]["text"].as_str().unwrap().chars().count() <= 75);
                let url = button["url"].as_str().unwrap();
                assert!(url.starts_with("https://") && url.len() <= 3000, "{name}");
            }
            "context" => {
                texts.extend(
                    block["elements"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| (e, 3000)),
                );
            }
            other => panic!("{name}: unexpected block {other}"),
        }
    }
    for (object, limit) in texts {
        let t = object["text"].as_str().unwrap();
        assert!(t.chars().count() <= limit, "{name}: over {limit}: {t}");
        assert_escaped(name, t);
        if object["type"] == "mrkdwn" {
            assert_eq!(object["verbatim"], true, "{name}: {object}");
            assert_only_our_formatting(name, t);
        }
    }
}

/// Our own console links, `<https://REGION.console.aws.amazon.com/...|task ID>` and
/// `<...|logs>` (a task's Logs tab, or its CloudWatch log stream), taken out.
fn without_console_links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<https://") {
        let end = rest[start..]
            .find('>')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        let link = &rest[start..end];
        let console = [
            ".console.aws.amazon.com/",
            "console.amazonaws-us-gov.com/",
            ".console.amazonaws.cn/",
        ]
        .iter()
        .any(|host| link.contains(host));
        let task = link.contains("/ecs/v2/clusters/")
            && (link.contains("/configuration?region=") && link.contains("|task ")
                || link.contains("/logs?region=") && link.ends_with("|logs>"));
        let stream = link.contains("/cloudwatch/home?region=")
            && link.contains("#logsV2:log-groups/log-group/")
            && link.ends_with("|logs>");
        assert!(
            console && (task || stream),
            "a link that is not ours: {link}"
        );
        out.push_str(&rest[..start]);
        out.push_str("TASK-LINK");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The configured mention that leads an alert's text, taken off (`mentions` in
/// `fixtures/expected/config.json`: only Slack's own forms, checked when parsed).
fn without_mention(text: &str) -> &str {
    text.strip_prefix("<!here>")
        .map(|rest| {
            rest.strip_prefix('\n')
                .or(rest.strip_prefix(' '))
                .unwrap_or(rest)
        })
        .unwrap_or(text)
}

/// No `<` or `>` (Slack's control characters) but in our own console links and a leading
/// mention, and every `&` starts an escape.
fn assert_escaped(name: &str, text: &str) {
    let text = &without_console_links(without_mention(text));
    assert!(
        !text.contains('<') && !text.contains('>'),
        "{name}: unescaped: {text}"
    );
    for (i, _) in text.match_indices('&') {
        let rest = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "{name}: bare & in {text}"
        );
    }
}

/// Outside code spans and blocks, a mrkdwn text holds only our own labels and words: event
/// text (all of it inside code) cannot mention, link or format.
fn assert_only_our_formatting(name: &str, text: &str) {
    let text = &without_console_links(without_mention(text));
    let mut outside = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find('`') {
        outside.push_str(&rest[..start]);
        let fence = if rest[start..].starts_with("```") {
            "```"
        } else {
            "`"
        };
        let after = &rest[start + fence.len()..];
        let end = after
            .find(fence)
            .unwrap_or_else(|| panic!("{name}: unclosed code in {text}"));
        rest = &after[end + fence.len()..];
        outside.push(' ');
    }
    outside.push_str(rest);
    for line in outside.lines() {
        let line = line.trim();
        let italic =
            line.starts_with('_') && line.ends_with('_') && !line[1..line.len() - 1].contains('_');
        // A hint is our own words, from the table.
        let hint = line.strip_prefix("_Usually:_ ").is_some_and(|words| {
            ecs_deploy_alerts::slack::hints::HINTS
                .iter()
                .any(|hint| hint.text == words)
        });
        let ours = line.is_empty()
            || italic
            || hint
            || (line.starts_with('*')
                && line.ends_with('*')
                && line[1..line.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' '))
            || line
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ·:,.()•-'".contains(c));
        assert!(
            ours,
            "{name}: event text outside code: {line:?} in {text:?}"
        );
    }
}

/// Every hint of the table shows in the reviewed alert of a `cause-*` scenario, under a cause
/// line that still gives the exit code or the reason; the unknown cause shows none.
#[test]
fn every_hint_has_a_scenario_that_shows_it_beside_the_reason() {
    let expected = root().join("fixtures/expected/scenarios");
    let mut shown = Vec::new();
    for (name, ..) in scenarios() {
        if !name.starts_with("cause-") {
            continue;
        }
        let steps: Value =
            serde_json::from_str(&fs::read_to_string(expected.join(&name)).unwrap()).unwrap();
        let alert = &steps.as_array().unwrap().last().unwrap()["slack"];
        let why: String = alert["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|block| block["text"]["text"].as_str())
            .filter(|text| text.starts_with("*Why*") || text.starts_with("• "))
            .collect();
        let cause = why.lines().find(|line| line.starts_with("• ")).unwrap();
        assert!(
            cause.contains("exited with code ") || cause.contains(": `"),
            "{name}: {cause}"
        );
        let hints: Vec<&str> = why
            .lines()
            .filter_map(|line| line.trim().strip_prefix("_Usually:_ "))
            .collect();
        if name == "cause-unknown.json" {
            assert!(hints.is_empty(), "{name}: {hints:?}");
        } else {
            assert_eq!(hints.len(), 1, "{name}: {why}");
            shown.extend(hints.iter().map(|hint| hint.to_string()));
        }
    }
    for hint in ecs_deploy_alerts::slack::hints::HINTS {
        assert!(
            shown.iter().any(|text| text == hint.text),
            "no scenario shows: {}",
            hint.text
        );
    }
}
