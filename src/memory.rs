//! An in-memory [`Host`]: configuration from pairs, a body from bytes, a key-value store in a
//! map, a scripted Slack that records what it is sent, and a clock the test sets. For native
//! tests, benchmarks and trying the pipeline without Spin.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use crate::answer::Handled;
use crate::host::{
    ConfigStoreError, Destination, Host, HttpResponse, KeyValue, OutboundRequest, RequestHead,
    StoreError, Timeouts, TransportFailure,
};

/// One request the pipeline sent out (to Slack or ECS). `Debug` shows no token.
#[derive(Clone, PartialEq, Eq)]
pub struct Post {
    /// Who it went to.
    pub to: Destination,
    /// `https` or `http`.
    pub scheme: &'static str,
    /// `host[:port]`.
    pub authority: String,
    /// Path and query.
    pub path_and_query: String,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// The `Authorization` header, if any (the Web API's bearer token, ECS's signature).
    pub authorization: Option<String>,
    /// The other headers the request added (ECS's target and date).
    pub headers: Vec<(&'static str, String)>,
    /// The JSON payload.
    pub payload: Vec<u8>,
    /// The timeouts it was sent with.
    pub timeouts: Timeouts,
    /// What it was answered.
    pub answer: Result<HttpResponse, TransportFailure>,
}

impl std::fmt::Debug for Post {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Post")
            .field("path_and_query", &self.path_and_query)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("payload", &String::from_utf8_lossy(&self.payload))
            .field("answer", &self.answer)
            .finish_non_exhaustive()
    }
}

impl Post {
    /// The Web API method called (`chat.postMessage`), if it was a call.
    pub fn method(&self) -> Option<&str> {
        (self.to == Destination::WebApi).then_some(())?;
        self.path_and_query.rsplit('/').next()
    }
}

/// Where the in-memory clock starts: 2026-11-27T00:00:00Z.
pub const START_OF_TIME: u64 = 1_795_737_600;

/// A host whose every answer is set up in advance.
#[derive(Debug, Clone)]
pub struct MemoryHost {
    /// Configuration values; `None` makes the store fail.
    pub settings: Option<Vec<(String, String)>>,
    /// The request body; `None` makes reading it fail.
    pub body: Option<Vec<u8>>,
    /// What a Slack webhook answers.
    pub slack: Result<HttpResponse, TransportFailure>,
    /// What the Web API answers instead of `ok` with a new `ts`: for each entry, the next call
    /// of that method (`chat.update`) gets that answer, once.
    pub web_api: Vec<(&'static str, Result<HttpResponse, TransportFailure>)>,
    /// What was sent to Slack.
    pub posts: Vec<Post>,
    /// The wall clock, in seconds since the Unix epoch.
    pub now: u64,
    /// The key-value store; `None` makes every store operation fail.
    pub store: Option<MemoryStore>,
    /// How many configuration lookups were made.
    pub config_reads: usize,
    /// The time since the request arrived; each [`Host::sleep`] adds to it.
    pub elapsed: Duration,
    /// The waits the pipeline asked for.
    pub sleeps: Vec<Duration>,
    /// How long each post to Slack takes (added to `elapsed`).
    pub slack_latency: Duration,
    /// The last random number handed out (each is one more).
    pub random: u64,
    /// Answers every post instead of the scripted Slack, when set: a test's model of Slack,
    /// which may run other deliveries while this call is in flight.
    pub slack_hook: Option<SlackHook>,
}

/// A test's Slack: what it answers each post. It may run other deliveries (on hosts that share
/// the store) before it answers, as overlapping requests do.
#[derive(Clone)]
pub struct SlackHook(pub Rc<dyn Fn(&Post) -> SlackAnswer>);

/// What Slack answers a post, or why no answer came.
pub type SlackAnswer = Result<HttpResponse, TransportFailure>;

impl std::fmt::Debug for SlackHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlackHook")
    }
}

/// An in-memory key-value store that counts what is done to it. Clones share it, as
/// replicas share one Redis.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore(Rc<RefCell<StoreData>>);

/// What a [`MemoryStore`] holds, and what was done to it.
#[derive(Debug, Clone, Default)]
pub struct StoreData {
    /// The entries.
    pub entries: BTreeMap<String, Vec<u8>>,
    /// `get` calls.
    pub reads: usize,
    /// `set` calls.
    pub writes: usize,
    /// `delete` calls.
    pub deletes: usize,
    /// `list-keys` calls.
    pub lists: usize,
    /// The `set` call (counted from 0, as `writes` counts them) that fails, if any.
    pub failing_write: Option<usize>,
}

impl MemoryStore {
    /// Makes the `set` call number `n` (counted from 0 over the store's life) fail.
    pub fn fail_write(&self, n: usize) {
        self.0.borrow_mut().failing_write = Some(n);
    }

    /// Writes `value` under `key` as another instance sharing the store would, uncounted.
    pub fn set_entry(&self, key: &str, value: &[u8]) {
        self.0
            .borrow_mut()
            .entries
            .insert(key.to_owned(), value.to_vec());
    }

    /// A snapshot of the store and its counters.
    pub fn data(&self) -> StoreData {
        self.0.borrow().clone()
    }
}

impl MemoryHost {
    /// A host with these settings and body, whose Slack answers 200 `ok`.
    pub fn new(settings: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        Self {
            settings: Some(
                settings
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            body: Some(body.into()),
            slack: Ok(HttpResponse {
                status: 200,
                retry_after: None,
                body: b"ok".to_vec(),
            }),
            web_api: Vec::new(),
            posts: Vec::new(),
            now: START_OF_TIME,
            store: Some(MemoryStore::default()),
            config_reads: 0,
            elapsed: Duration::ZERO,
            sleeps: Vec::new(),
            slack_latency: Duration::ZERO,
            random: 0,
            slack_hook: None,
        }
    }

    /// Runs the pipeline on a request with this method, path and headers, and what follows
    /// its answer, as the component does.
    pub fn handle(&mut self, method: &str, path: &str, headers: &[(&str, &str)]) -> Handled {
        let headers: Vec<(String, Vec<u8>)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect();
        let head = RequestHead {
            method,
            path,
            headers: &headers,
        };
        let mut handled = crate::handle(&head, self);
        crate::after_answer(self, &mut handled);
        handled
    }
}

impl Host for MemoryHost {
    fn config(&mut self, key: &str) -> Result<Option<String>, ConfigStoreError> {
        self.config_reads += 1;
        let settings = self.settings.as_ref().ok_or(ConfigStoreError)?;
        Ok(settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone()))
    }

    fn read_body(&mut self, up_to: usize) -> Option<Vec<u8>> {
        let body = self.body.as_ref()?;
        Some(body[..body.len().min(up_to)].to_vec())
    }

    fn post(
        &mut self,
        request: &OutboundRequest,
        timeouts: Timeouts,
    ) -> Result<HttpResponse, TransportFailure> {
        let url = request.url;
        let mut post = Post {
            to: request.to,
            scheme: if url.is_https() { "https" } else { "http" },
            authority: url.authority().to_owned(),
            path_and_query: url.path_and_query().to_owned(),
            content_type: request.content_type(),
            authorization: request.header("authorization").map(str::to_owned),
            headers: request
                .headers
                .iter()
                .filter(|(name, _)| *name != "authorization")
                .cloned()
                .collect(),
            payload: request.body.to_vec(),
            timeouts,
            answer: Err(TransportFailure::Unreachable("unanswered")),
        };
        post.answer = match (&self.slack_hook, post.method()) {
            (Some(hook), _) => (hook.0)(&post),
            (None, None) => self.slack.clone(),
            (None, Some(method)) => match self.web_api.iter().position(|(m, _)| *m == method) {
                Some(at) => self.web_api.remove(at).1,
                None => Ok(self.web_api_ok(&post.payload)),
            },
        };
        let answer = post.answer.clone();
        self.posts.push(post);
        self.elapsed += self.slack_latency;
        answer
    }

    fn now(&mut self) -> u64 {
        self.now
    }

    fn elapsed(&mut self) -> Duration {
        self.elapsed
    }

    fn sleep(&mut self, duration: Duration) {
        self.sleeps.push(duration);
        self.elapsed += duration;
    }

    fn random(&mut self) -> u64 {
        self.random += 1;
        self.random
    }
}

impl MemoryHost {
    /// The Web API's `ok`: the message's channel and a `ts` that no other call of this host,
    /// nor of one a second apart, hands out.
    fn web_api_ok(&self, payload: &[u8]) -> HttpResponse {
        let call: serde_json::Value = serde_json::from_slice(payload).unwrap_or_default();
        let ts = call["ts"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{}.{:06}", self.now, self.posts.len() + 1));
        let answer = serde_json::json!({"ok": true, "channel": call["channel"], "ts": ts});
        HttpResponse {
            status: 200,
            retry_after: None,
            body: answer.to_string().into_bytes(),
        }
    }

    fn store(&mut self) -> Result<std::cell::RefMut<'_, StoreData>, StoreError> {
        self.store
            .as_ref()
            .map(|s| s.0.borrow_mut())
            .ok_or(StoreError)
    }
}

impl KeyValue for MemoryHost {
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut store = self.store()?;
        store.reads += 1;
        Ok(store.entries.get(key).cloned())
    }

    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut store = self.store()?;
        store.writes += 1;
        if store.failing_write == Some(store.writes - 1) {
            return Err(StoreError);
        }
        store.entries.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        let mut store = self.store()?;
        store.deletes += 1;
        store.entries.remove(key);
        Ok(())
    }

    fn keys(&mut self) -> Result<Vec<String>, StoreError> {
        let mut store = self.store()?;
        store.lists += 1;
        Ok(store.entries.keys().cloned().collect())
    }
}
