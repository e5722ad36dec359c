//! What the snapshot tests share: the fixture settings, the scenarios of `fixtures/scenarios/`,
//! posting a fixture as EventBridge does, and comparing with a reviewed expectation.
#![allow(dead_code)] // each test file uses its part

use std::fs;
use std::path::{Path, PathBuf};

use ecs_deploy_alerts::Handled;
use ecs_deploy_alerts::host::HttpResponse;
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore};
use serde_json::Value;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture settings: the same file the end-to-end suite configures the component with.
pub fn settings() -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("fixtures/expected/config.json")).unwrap();
    let config: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    config
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
        .collect()
}

/// The `.json` files of a folder of the repository, in name order; at least `least`.
pub fn json_files(folder: &str, least: usize) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join(folder))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= least, "{folder} went missing: {paths:?}");
    paths
}

/// One step of a scenario: a fixture posted, and how Slack answers it.
pub struct Step {
    /// The fixture.
    pub fixture: PathBuf,
    /// A webhook's status (`"slack"`; 200 unless given); in app mode, the HTTP status of
    /// `chat.postMessage`'s answer when not 200.
    pub slack: u16,
    /// App mode: Web API methods and the error each answers once (`"web_api"`).
    pub web_api: Vec<(String, String)>,
}

/// A scenario: its file name, settings and steps.
pub struct Scenario {
    pub name: String,
    pub settings: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

pub fn scenarios() -> Vec<Scenario> {
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
                    let web_api = step["web_api"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(method, code)| (method.clone(), code.as_str().unwrap().to_owned()))
                        .collect();
                    Step {
                        fixture,
                        slack: step["slack"].as_u64().unwrap_or(200) as u16,
                        web_api,
                    }
                })
                .collect();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            Scenario {
                name,
                settings,
                steps,
            }
        })
        .collect()
}

/// A host with `settings` whose body is `fixture`, seeing `store`, at `now`; its webhook
/// answers `slack_status`.
pub fn host_for(
    fixture: &Path,
    settings: &[(String, String)],
    store: &MemoryStore,
    slack_status: u16,
    now: u64,
) -> MemoryHost {
    let pairs: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut host = MemoryHost::new(&pairs, fs::read(fixture).unwrap());
    host.store = Some(store.clone());
    host.now = now;
    host.slack = Ok(HttpResponse {
        status: slack_status,
        retry_after: None,
        body: if slack_status == 200 {
            b"ok".to_vec()
        } else {
            Vec::new()
        },
    });
    host
}

/// Posts the host's body as EventBridge does, with the settings' API key.
pub fn post_as_eventbridge(host: &mut MemoryHost, settings: &[(String, String)]) -> Handled {
    let api_key = settings
        .iter()
        .find(|(k, _)| k == "api_key")
        .unwrap()
        .1
        .clone();
    host.handle(
        "POST",
        "/",
        &[
            ("content-type", "application/json; charset=utf-8"),
            ("user-agent", "Amazon/EventBridge/ApiDestinations"),
            ("x-api-key", &api_key),
        ],
    )
}

/// Compares `actual` with the reviewed file at `path` (or rewrites it under UPDATE_EXPECT).
pub fn compare(path: &Path, actual: &Value, mismatches: &mut Vec<String>) {
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

/// The message keeps Block Kit's limits, and only our own words are outside code.
pub fn check_message(name: &str, message: &serde_json::Map<String, Value>) {
    let text = message["text"].as_str().unwrap();
    assert!(!text.is_empty() && text.chars().count() <= 1000, "{name}");
    assert_escaped(name, text);
    // A rewrite (`chat.update`, with `ts`) keeps the message's setting; the rest turn
    // previews off.
    let previews = if message.contains_key("ts") {
        Value::Null
    } else {
        Value::Bool(false)
    };
    assert_eq!(
        message.get("unfurl_links").unwrap_or(&Value::Null),
        &previews,
        "{name}"
    );
    assert_eq!(
        message.get("unfurl_media").unwrap_or(&Value::Null),
        &previews,
        "{name}"
    );
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
                let buttons = block["elements"].as_array().unwrap();
                assert!(buttons.len() <= 25, "{name}: elements");
                for button in buttons {
                    assert_button_fits(name, button);
                }
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
/// `text` with our Slack date tokens (`<!date^SECONDS^{date_short_pretty} at
/// {time}|YYYY-MM-DD HH:MM UTC>`) replaced by `DATE`, each checked to be of that shape.
fn without_dates(text: &str) -> String {
    const FORMAT: &str = "^{date_short_pretty} at {time}|";
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!date^") {
        out.push_str(&rest[..start]);
        let token = &rest[start + "<!date^".len()..];
        let digits = token.bytes().take_while(u8::is_ascii_digit).count();
        let fallback = token[digits..]
            .strip_prefix(FORMAT)
            .unwrap_or_else(|| panic!("not our date token: {token}"));
        let (utc, after) = fallback.split_at(fallback.find('>').expect("a closed date token"));
        let shape = utc.len() == 20
            && utc.ends_with(" UTC")
            && utc[..16]
                .chars()
                .all(|c| c.is_ascii_digit() || "-: ".contains(c));
        assert!(digits > 0 && shape, "not our date token: {token}");
        out.push_str("DATE");
        rest = &after[1..];
    }
    out.push_str(rest);
    out
}

fn without_mention(text: &str) -> &str {
    text.strip_prefix("<!here>")
        .map(|rest| {
            rest.strip_prefix('\n')
                .or(rest.strip_prefix(' '))
                .unwrap_or(rest)
        })
        .unwrap_or(text)
}

/// A button within Block Kit's limits: a link (https) or an action with a short value, and a
/// confirm dialog's texts within theirs.
fn assert_button_fits(name: &str, button: &Value) {
    assert_eq!(button["type"], "button", "{name}");
    assert!(button["text"]["text"].as_str().unwrap().chars().count() <= 75);
    assert!(button["action_id"].as_str().unwrap().len() <= 255, "{name}");
    match (button["url"].as_str(), button["value"].as_str()) {
        (Some(url), None) => assert!(url.starts_with("https://") && url.len() <= 3000, "{name}"),
        (None, Some(value)) => assert!(!value.is_empty() && value.len() <= 2000, "{name}"),
        other => panic!("{name}: a button is a link or has a value: {other:?}"),
    }
    let confirm = &button["confirm"];
    if !confirm.is_null() {
        for (part, limit) in [("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)] {
            let text = confirm[part]["text"].as_str().unwrap();
            assert!(text.chars().count() <= limit, "{name}: confirm {part}");
        }
    }
}

/// No `<` or `>` (Slack's control characters) but in our own console links and a leading
/// mention, and every `&` starts an escape.
fn assert_escaped(name: &str, text: &str) {
    let text = &without_console_links(&without_dates(without_mention(text)));
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
    let text = &without_console_links(&without_dates(without_mention(text)));
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
        // A thread's parent drawn again says where the story stands.
        let status = line.strip_prefix("*Status:* ").is_some_and(|words| {
            words
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ✅🚨".contains(c))
        });
        let plain = |words: &str| {
            words
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ·:,.()•-'".contains(c))
        };
        // A bold label (`*Cause:*`, `*Continue:*`), alone or before our words.
        let labelled = line.strip_prefix('*').and_then(|rest| {
            let (label, words) = rest.split_once(":*")?;
            Some(label.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') && plain(words))
        });
        let ours = line.is_empty()
            || italic
            || hint
            || status
            || labelled == Some(true)
            || (line.starts_with('*')
                && line.ends_with('*')
                && line[1..line.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' '))
            || plain(line);
        assert!(
            ours,
            "{name}: event text outside code: {line:?} in {text:?}"
        );
    }
}
