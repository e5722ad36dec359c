//! A store that fails anywhere on the way: the message still goes out when it can, and the
//! log always says the store failed.

use super::*;

const STOPPED: &str = include_str!("../../fixtures/ecs-task-stopped-exit-code.json");

/// The action's service failing ten minutes before it: its story is open when it comes.
fn failure_before_the_action() -> String {
    let mut failed = failure_of_the_actions_service();
    failed["detail"]["updatedAt"] = json!("2019-11-06T19:00:00Z");
    failed.to_string()
}

/// Sends `steps` on one store, the store's `n`th write during the last one failing, and its
/// parent's rewrite answered `update` if given: the last answer, and whether that write was
/// reached.
fn with_failing_write(steps: &[&str], n: usize, update: Option<u16>) -> (Handled, bool) {
    let store = MemoryStore::default();
    let (last, before) = steps.split_last().unwrap();
    for body in before {
        post(&mut host(body, &store, START_OF_TIME));
    }
    let base = store.data().writes;
    store.fail_write(base + n);
    let mut last = host(last, &store, START_OF_TIME + 1);
    if let Some(status) = update {
        last.web_api
            .push(("chat.update", web_api(status, None, json!({}))));
    }
    let handled = post(&mut last);
    (handled, store.data().writes > base + n)
}

#[test]
fn a_failed_write_anywhere_is_logged() {
    let story = failure_before_the_action();
    let cases: [(&str, Vec<&str>); 5] = [
        ("a parent", vec![FAILED]),
        ("a reply that moves the story", vec![FAILED, ROLLING_BACK]),
        ("a service action alone", vec![ACTION]),
        ("a service action in its story", vec![&story, ACTION]),
        ("a late task that redraws the parent", vec![FAILED, STOPPED]),
    ];
    for (what, steps) in cases {
        let mut failed = 0;
        for n in 0.. {
            let (handled, reached) = with_failing_write(&steps, n, None);
            if !reached {
                break;
            }
            failed += 1;
            let answer = json_of(&handled);
            // A stopped task exists only to be recorded: without its record it is retried.
            let refused = answer["error"] == "store_unavailable";
            assert!(
                refused || handled.log.store == Some("unavailable"),
                "{what}, write {n} failing: {answer}, log {}",
                handled.log.to_json()
            );
            if !refused {
                assert!(handled.reply.status < 300, "{what}, write {n}: {answer}");
            }
        }
        assert!(failed >= 2, "{what}: only {failed} writes");
    }
}

#[test]
fn a_failed_write_after_a_failed_rewrite_is_logged_too() {
    let mut failed = 0;
    for n in 0.. {
        let (handled, reached) = with_failing_write(&[FAILED, ROLLING_BACK], n, Some(500));
        if !reached {
            break;
        }
        failed += 1;
        assert_eq!(handled.log.store, Some("unavailable"), "write {n}");
        assert_eq!(
            json_of(&handled)["error"],
            "parent_update_failed",
            "write {n}"
        );
    }
    assert!(failed >= 3, "only {failed} writes");
}
