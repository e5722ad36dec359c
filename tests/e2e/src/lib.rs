//! A test host for the release component: wasmtime with WASI, wasi:http (incoming handler and
//! outgoing requests), `wasi:config/store` and `wasi:keyvalue/store`, as Spin provides them,
//! plus a scripted Slack.
//!
//! The component is compiled once and pre-instantiated ([`ProxyPre`]); every request gets a
//! fresh store and instance from the pooling allocator, as in Spin. Outgoing requests never
//! reach a network: the send-request hook records them and answers from a [`SlackScript`].

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks,
    WasiHttpView,
};

/// Errors here are only reported (a failed test, a benchmark that stops): anyhow, with context.
pub use anyhow::{Context, Result};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "alerts",
        with: { "wasi:keyvalue/store.bucket": super::Bucket },
    });
}
use bindings::wasi::config::store as config_store;
use bindings::wasi::keyvalue::store as kv_store;

/// The key-value store the component sees (`wasi:keyvalue/store`, in memory, as Spin serves
/// its stores): clones share it, as instances share Spin's SQLite file or a Redis, and it can
/// be made to fail.
#[derive(Clone, Default)]
pub struct KeyValueStore {
    entries: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    failing: Arc<AtomicBool>,
    writes: Arc<AtomicUsize>,
}

impl KeyValueStore {
    /// Every key and value.
    pub fn entries(&self) -> BTreeMap<String, Vec<u8>> {
        self.entries.lock().unwrap().clone()
    }

    /// Makes `open` (and so every operation) fail, or work again.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// How many `set` calls succeeded.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

/// An open bucket: the store it is a view of.
pub struct Bucket(KeyValueStore);

/// `wasi:keyvalue/store` for one request.
struct KeyValueHost {
    store: KeyValueStore,
    table: ResourceTable,
}

impl kv_store::Host for KeyValueHost {
    fn open(
        &mut self,
        identifier: String,
    ) -> std::result::Result<Resource<Bucket>, kv_store::Error> {
        if identifier != "default" {
            // What Spin answers for a store the manifest does not list.
            return Err(kv_store::Error::AccessDenied);
        }
        if self.store.failing.load(Ordering::SeqCst) {
            return Err(kv_store::Error::Other("store unavailable".into()));
        }
        self.table
            .push(Bucket(self.store.clone()))
            .map_err(|e| kv_store::Error::Other(e.to_string()))
    }
}

impl KeyValueHost {
    fn bucket(
        &self,
        bucket: &Resource<Bucket>,
    ) -> std::result::Result<&KeyValueStore, kv_store::Error> {
        let store = &self
            .table
            .get(bucket)
            .map_err(|e| kv_store::Error::Other(e.to_string()))?
            .0;
        if store.failing.load(Ordering::SeqCst) {
            return Err(kv_store::Error::Other("store unavailable".into()));
        }
        Ok(store)
    }
}

impl kv_store::HostBucket for KeyValueHost {
    fn get(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> std::result::Result<Option<Vec<u8>>, kv_store::Error> {
        Ok(self
            .bucket(&bucket)?
            .entries
            .lock()
            .unwrap()
            .get(&key)
            .cloned())
    }

    fn set(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> std::result::Result<(), kv_store::Error> {
        let store = self.bucket(&bucket)?;
        store.entries.lock().unwrap().insert(key, value);
        store.writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn delete(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> std::result::Result<(), kv_store::Error> {
        self.bucket(&bucket)?.entries.lock().unwrap().remove(&key);
        Ok(())
    }

    fn exists(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> std::result::Result<bool, kv_store::Error> {
        Ok(self
            .bucket(&bucket)?
            .entries
            .lock()
            .unwrap()
            .contains_key(&key))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        _cursor: Option<String>,
    ) -> std::result::Result<kv_store::KeyResponse, kv_store::Error> {
        // Every key in one page, no cursor: what Spin's stores answer.
        let keys = self
            .bucket(&bucket)?
            .entries
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        Ok(kv_store::KeyResponse { keys, cursor: None })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.wasm` that `spin.toml` runs (its `source`), or `ECS_ALERTS_WASM` if set.
pub fn component_path() -> PathBuf {
    if let Some(path) = std::env::var_os("ECS_ALERTS_WASM") {
        return PathBuf::from(path);
    }
    let manifest = std::fs::read_to_string(repo_root().join("spin.toml")).expect("spin.toml");
    let source = manifest
        .lines()
        .find_map(|line| {
            let value = line
                .trim()
                .strip_prefix("source")?
                .trim()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        })
        .expect("spin.toml names the component's source");
    repo_root().join(source)
}

/// How the scripted Slack answers.
#[derive(Debug, Clone)]
pub enum SlackScript {
    /// Answer this status and body, with `Retry-After` if given.
    Answer {
        /// The status.
        status: u16,
        /// The body.
        body: &'static str,
        /// The `Retry-After` header.
        retry_after: Option<&'static str>,
    },
    /// Fail to connect.
    Refuse,
    /// Never answer: time out after the first-byte timeout the component set.
    Hang,
    /// Never answer, whatever the timeouts (as a TLS handshake that no timeout bounds).
    Silent,
    /// Answer this status, then send a body that never ends.
    Trickle(u16),
    /// Slack's Web API (and ECS's, by operation): each call answered `ok` with its channel and
    /// a new `ts`, but for the scripted answers, each given once to the next call of its method.
    WebApi(WebApiScript),
}

/// One scripted Web API answer: method, status, body, `Retry-After`.
type WebApiAnswer = (String, u16, String, Option<&'static str>);

/// The Web API's scripted answers, each used once.
#[derive(Debug, Clone, Default)]
pub struct WebApiScript(Arc<Mutex<Vec<WebApiAnswer>>>);

impl WebApiScript {
    /// The next call of `method` answers `status` with `body`, and `Retry-After` if given.
    pub fn then(
        self,
        method: &str,
        status: u16,
        body: String,
        retry_after: Option<&'static str>,
    ) -> Self {
        self.0
            .lock()
            .unwrap()
            .push((method.to_owned(), status, body, retry_after));
        self
    }

    /// The next call of `method` answers HTTP 200 `{"ok": false, "error": code}`.
    pub fn error(self, method: &str, code: &str) -> Self {
        let body = serde_json::json!({"ok": false, "error": code}).to_string();
        self.then(method, 200, body, None)
    }

    /// The scripted answer of `method`, once; else `ok` for `channel` with `ts`.
    fn answer(&self, method: &str, channel: &str, ts: &str) -> (u16, String, Option<&'static str>) {
        let mut script = self.0.lock().unwrap();
        match script.iter().position(|(m, ..)| m == method) {
            Some(at) => {
                let (_, status, body, retry_after) = script.remove(at);
                (status, body, retry_after)
            }
            None => {
                let body = serde_json::json!({"ok": true, "channel": channel, "ts": ts});
                (200, body.to_string(), None)
            }
        }
    }
}

impl SlackScript {
    /// Slack's normal answer: 200 `ok`.
    pub const OK: Self = Self::Answer {
        status: 200,
        body: "ok",
        retry_after: None,
    };
}

/// A request the component sent out.
#[derive(Debug, Clone)]
pub struct SentRequest {
    /// The method.
    pub method: String,
    /// The absolute URI.
    pub uri: String,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
    /// The timeouts the component set on the request.
    pub options: Option<RequestOptions>,
}

impl SentRequest {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The hook that stands in for the network.
#[derive(Clone)]
struct ScriptedSlack {
    script: SlackScript,
    sent: Arc<Mutex<Vec<SentRequest>>>,
    /// The wall clock's seconds: the Web API's `ts` are `SECONDS.N`, N counting this request's
    /// calls, as the in-memory host hands them out.
    now: u64,
}

type BoxFuture<T> = Box<dyn Future<Output = T> + Send>;
type SendResult = std::result::Result<
    (
        hyper::Response<WasiBody>,
        BoxFuture<std::result::Result<(), HttpError>>,
    ),
    HttpError,
>;

impl WasiHttpHooks for ScriptedSlack {
    fn send_request(
        &mut self,
        request: hyper::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: BoxFuture<std::result::Result<(), HttpError>>,
    ) -> BoxFuture<SendResult> {
        Box::new(scripted_answer(self.clone(), request, options))
    }
}

async fn scripted_answer(
    slack: ScriptedSlack,
    request: hyper::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> SendResult {
    // Read the whole body first, as a server would, so the component's writes complete.
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    // A Web API method is the path's last segment; an AWS JSON call's is its target's operation.
    let method = match parts.headers.get("x-amz-target") {
        Some(target) => target.to_str().unwrap_or_default().rsplit('.').next(),
        None => parts.uri.path().rsplit('/').next(),
    }
    .unwrap_or_default()
    .to_owned();
    let calls = {
        let mut sent = slack.sent.lock().unwrap();
        sent.push(SentRequest {
            method: parts.method.to_string(),
            uri: parts.uri.to_string(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        v.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            body,
            options,
        });
        sent.len()
    };
    let ts = json["ts"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}.{:06}", slack.now, calls));
    match slack.script {
        SlackScript::WebApi(script) => {
            let channel = json["channel"].as_str().unwrap_or_default();
            let (status, body, retry_after) = script.answer(&method, channel, &ts);
            let content_type = "application/json; charset=utf-8";
            answered(status, content_type, retry_after, Bytes::from(body))
        }
        SlackScript::Refuse => Err(HttpError::ConnectionRefused),
        SlackScript::Hang => {
            // What the real send does: give up once the first-byte timeout passes. A
            // component that set none would hang here for a minute and fail its test.
            let timeout = options
                .and_then(|o| o.first_byte_timeout)
                .unwrap_or(Duration::from_secs(60));
            tokio::time::sleep(timeout).await;
            Err(HttpError::ConnectionReadTimeout)
        }
        SlackScript::Silent => std::future::pending().await,
        SlackScript::Trickle(status) => {
            let response = hyper::Response::builder()
                .status(status)
                .body(EndlessBody.boxed_unsync())
                .map_err(|e| HttpError::InternalError(Some(e.to_string())))?;
            let io: BoxFuture<std::result::Result<(), HttpError>> = Box::new(async { Ok(()) });
            Ok((response, io))
        }
        SlackScript::Answer {
            status,
            body,
            retry_after,
        } => answered(
            status,
            "text/html",
            retry_after,
            Bytes::from_static(body.as_bytes()),
        ),
    }
}

/// A whole answer: `status`, `content_type`, `Retry-After` if given, and `body`.
fn answered(status: u16, content_type: &str, retry_after: Option<&str>, body: Bytes) -> SendResult {
    let mut response = hyper::Response::builder()
        .status(status)
        .header("content-type", content_type);
    if let Some(seconds) = retry_after {
        response = response.header("retry-after", seconds);
    }
    let response = response
        .body(Full::new(body).map_err(HttpError::from).boxed_unsync())
        .map_err(|e| HttpError::InternalError(Some(e.to_string())))?;
    let io: BoxFuture<std::result::Result<(), HttpError>> = Box::new(async { Ok(()) });
    Ok((response, io))
}

/// A response body whose next frame never comes.
struct EndlessBody;

impl hyper::body::Body for EndlessBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<std::result::Result<hyper::body::Frame<Bytes>, HttpError>>> {
        std::task::Poll::Pending
    }
}

/// `wasi:config/store`, served from a map as Spin serves it from variables.
#[derive(Clone, Default)]
struct ConfigStore(HashMap<String, String>);

impl config_store::Host for ConfigStore {
    fn get(&mut self, key: String) -> std::result::Result<Option<String>, config_store::Error> {
        Ok(self.0.get(&key).cloned())
    }

    fn get_all(&mut self) -> std::result::Result<Vec<(String, String)>, config_store::Error> {
        Ok(self.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

/// One store's data: one request's world.
struct State {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    slack: ScriptedSlack,
    config: ConfigStore,
    kv: KeyValueHost,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.slack,
        }
    }
}

/// What one request produced.
#[derive(Debug)]
pub struct Exchange {
    /// The component's status.
    pub status: u16,
    /// Its headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Bytes,
    /// What it sent to Slack.
    pub sent: Vec<SentRequest>,
    /// What it wrote to stdout (its log).
    pub stdout: String,
    /// What it wrote to stderr.
    pub stderr: String,
    /// From the request to the complete answer.
    pub elapsed: Duration,
}

impl Exchange {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Panics if any of `secrets` shows in the answer, the log or stderr.
    pub fn assert_hides(&self, secrets: &[&str]) {
        let body = String::from_utf8_lossy(&self.body);
        for text in [&self.stdout, &self.stderr, body.as_ref()] {
            for secret in secrets {
                assert!(!text.contains(secret), "a secret leaked: {text}");
            }
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {:?}", self.body))
    }
}

/// A request to send to the component.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl Call {
    /// A POST as an EventBridge API destination sends it (headers included), without
    /// credentials.
    pub fn eventbridge(body: impl Into<Bytes>) -> Self {
        let body = body.into();
        Self {
            method: "POST",
            path: "/",
            headers: vec![
                (
                    "content-type".into(),
                    "application/json; charset=utf-8".into(),
                ),
                (
                    "user-agent".into(),
                    "Amazon/EventBridge/ApiDestinations".into(),
                ),
                ("content-length".into(), body.len().to_string()),
            ],
            body,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Removes a header.
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }
}

/// The component, compiled and linked once, ready to serve many requests concurrently.
#[derive(Clone)]
pub struct TestHost {
    pre: ProxyPre<State>,
    imports: Vec<String>,
    exports: Vec<String>,
}

/// How much of each reused memory, table and stack is kept resident between requests.
const KEEP_RESIDENT: usize = 2 << 20;

/// How much of the component's stdout and stderr is kept per request.
const OUTPUT_CAPACITY: usize = 1 << 20;

impl TestHost {
    /// An engine configured as Spin configures it: the pooling instance allocator.
    pub fn engine() -> Result<Engine> {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(256)
            .total_core_instances(2048)
            .total_memories(256)
            .total_tables(1024)
            .total_stacks(256)
            .max_memory_size(64 << 20)
            // Reset reused slots by zeroing instead of unmapping, so the next request does
            // not page-fault its way back in.
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT)
            .async_stack_keep_resident(KEEP_RESIDENT);
        let mut config = Config::new();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        Ok(Engine::new(&config)?)
    }

    /// Compiles the release component named by `spin.toml`.
    pub fn load() -> Result<Self> {
        let engine = Self::engine()?;
        let component = Component::from_binary(&engine, &read_component()?)?;
        Self::link(&engine, &component)
    }

    /// Loads a component that `engine.precompile_component` compiled, as Spin loads its
    /// cached compilation at start.
    pub fn from_precompiled(engine: &Engine, precompiled: &[u8]) -> Result<Self> {
        // SAFETY: the bytes come from `Engine::precompile_component` of this same wasmtime.
        let component = unsafe { Component::deserialize(engine, precompiled)? };
        Self::link(engine, &component)
    }

    /// Links the component against WASI, wasi:http and wasi:config, and nothing else: an
    /// import outside those fails here.
    pub fn link(engine: &Engine, component: &Component) -> Result<Self> {
        let mut linker: Linker<State> = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        config_store::add_to_linker::<State, HasSelf<ConfigStore>>(&mut linker, |s| &mut s.config)?;
        kv_store::add_to_linker::<State, HasSelf<KeyValueHost>>(&mut linker, |s| &mut s.kv)?;
        let ty = component.component_type();
        let imports = ty
            .imports(engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        let exports = ty
            .exports(engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        let pre = ProxyPre::new(linker.instantiate_pre(component)?)?;
        Ok(Self {
            pre,
            imports,
            exports,
        })
    }

    /// The component's imports, as `package:namespace/interface@version`.
    pub fn imports(&self) -> &[String] {
        &self.imports
    }

    /// The component's exports.
    pub fn exports(&self) -> &[String] {
        &self.exports
    }

    /// Sends one request through a fresh instance, with a fresh, empty key-value store.
    pub async fn call(
        &self,
        call: &Call,
        config: &HashMap<String, String>,
        slack: SlackScript,
    ) -> Result<Exchange> {
        self.call_with_store(call, config, slack, &KeyValueStore::default(), None)
            .await
    }

    /// Sends one request through a fresh instance that sees `store`, and a wall clock reading
    /// `now` (Unix seconds) if given.
    pub async fn call_with_store(
        &self,
        call: &Call,
        config: &HashMap<String, String>,
        slack: SlackScript,
        store: &KeyValueStore,
        now: Option<u64>,
    ) -> Result<Exchange> {
        let started = Instant::now();
        let (state, output) = State::new(config, slack, store, now);
        let sent = state.slack.sent.clone();
        let mut store = Store::new(self.pre.engine(), state);

        let mut request = hyper::Request::builder()
            .method(call.method)
            .uri(format!("http://localhost{}", call.path));
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        let request = request.body(Full::new(call.body.clone()))?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        // The guest and the reader of its answer run side by side in this task: the guest
        // streams its body after setting the response, and no task hand-off is needed.
        // The guest owns the store, so a guest that traps or returns without answering drops
        // the response sender with it, and the reader below ends instead of waiting forever.
        let pre = &self.pre;
        let guest = async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, request, out)
                .await
        };
        let answer = async {
            match receiver.await {
                Ok(Ok(response)) => {
                    let (parts, body) = response.into_parts();
                    let body = body.collect().await?.to_bytes();
                    Ok(Some(hyper::Response::from_parts(parts, body)))
                }
                Ok(Err(code)) => Err(guest_failed(code)),
                Err(_) => Ok(None),
            }
        };
        let (guest, answer) = tokio::join!(guest, answer);
        guest?;
        let response =
            answer?.ok_or_else(|| anyhow::anyhow!("the component never set a response"))?;
        let elapsed = started.elapsed();
        let sent = std::mem::take(&mut *sent.lock().unwrap());
        Ok(Exchange {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        v.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            body: response.into_body(),
            sent,
            stdout: output.stdout(),
            stderr: output.stderr(),
            elapsed,
        })
    }
}

/// Runs a `wasi:cli/run` component (such as the core benchmark built for wasm32-wasip2) and
/// returns what it printed.
pub async fn run_command(engine: &Engine, wasm: &[u8]) -> Result<String> {
    let component = Component::from_binary(engine, wasm)?;
    let mut linker: Linker<State> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    let (state, output) = State::new(
        &HashMap::new(),
        SlackScript::Refuse,
        &KeyValueStore::default(),
        None,
    );
    let mut store = Store::new(engine, state);
    let command = Command::instantiate_async(&mut store, &component, &linker).await?;
    command
        .wasi_cli_run()
        .call_run(&mut store)
        .await?
        .map_err(|()| anyhow::anyhow!("the command failed: {}", output.stderr()))?;
    Ok(output.stdout())
}

/// A wall clock stopped at one moment, for simulated days.
struct FixedClock(Duration);

impl wasmtime_wasi::HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        self.0
    }
}

/// The guest's captured stdout and stderr.
struct Output {
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl Output {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.contents()).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }
}

impl State {
    fn new(
        config: &HashMap<String, String>,
        slack: SlackScript,
        store: &KeyValueStore,
        now: Option<u64>,
    ) -> (Self, Output) {
        let output = Output {
            stdout: MemoryOutputPipe::new(OUTPUT_CAPACITY),
            stderr: MemoryOutputPipe::new(OUTPUT_CAPACITY),
        };
        let mut wasi = WasiCtx::builder();
        wasi.stdout(output.stdout.clone())
            .stderr(output.stderr.clone());
        if let Some(now) = now {
            wasi.wall_clock(FixedClock(Duration::from_secs(now)));
        }
        let wasi = wasi.build();
        let state = Self {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            slack: ScriptedSlack {
                script: slack,
                sent: Arc::new(Mutex::new(Vec::new())),
                now: now.unwrap_or_default(),
            },
            config: ConfigStore(config.clone()),
            kv: KeyValueHost {
                store: store.clone(),
                table: ResourceTable::new(),
            },
        };
        (state, output)
    }
}

fn guest_failed(code: ErrorCode) -> wasmtime::Error {
    // Handed back to wasmtime, which keeps its own error type.
    wasmtime::format_err!("the component answered with an error code: {code:?}")
}

/// The component's bytes, or an error that says how to build them.
pub fn read_component() -> Result<Vec<u8>> {
    let path = component_path();
    std::fs::read(&path).with_context(|| {
        format!(
            "cannot read the component at {}; build it first with `spin build` or \
             `cargo build --target wasm32-wasip2 --release` (scripts/test.sh does)",
            path.display()
        )
    })
}

/// The fixture settings shared with the native snapshot tests.
pub fn fixture_config() -> HashMap<String, String> {
    let text = std::fs::read_to_string(repo_root().join("fixtures/expected/config.json"))
        .expect("fixtures/expected/config.json");
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    map.into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
        .collect()
}

/// Every fixture, as (file name, bytes), in name order.
pub fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut fixtures: Vec<(String, Vec<u8>)> = std::fs::read_dir(repo_root().join("fixtures"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(path).unwrap())
        })
        .collect();
    fixtures.sort();
    fixtures
}

/// One scenario of `fixtures/scenarios/`: its file name, `base` with the scenario's settings
/// over it, its steps (the scenario's JSON), and the reviewed expectation in
/// `fixtures/expected/<expected>/`.
pub struct Scenario {
    /// The file name.
    pub name: String,
    /// The settings it runs with.
    pub config: HashMap<String, String>,
    /// Its steps: `post`, and optionally `slack` and `web_api`.
    pub steps: Vec<serde_json::Value>,
    /// The expected result of each step.
    pub expected: Vec<serde_json::Value>,
}

/// Every scenario, in name order, with `base` settings and the expectations of `expected`.
pub fn scenarios(base: &HashMap<String, String>, expected: &str) -> Vec<Scenario> {
    let dir = repo_root().join("fixtures/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let read = |path: PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    names
        .into_iter()
        .map(|name| {
            let scenario = read(dir.join(&name));
            let mut config = base.clone();
            for (key, value) in scenario["settings"].as_object().into_iter().flatten() {
                config.insert(key.clone(), value.as_str().unwrap().to_owned());
            }
            let expected = read(
                repo_root()
                    .join("fixtures/expected")
                    .join(expected)
                    .join(&name),
            );
            Scenario {
                name,
                config,
                steps: scenario["steps"].as_array().unwrap().clone(),
                expected: expected.as_array().unwrap().clone(),
            }
        })
        .collect()
}
