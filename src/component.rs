//! The Spin/WASI edge: the `wasi:http/incoming-handler` export, `wasi:config/store`, the
//! request body, the outbound POST (to Slack and ECS), and the log line. All decisions are the core's.

use std::time::{Duration, Instant};

use spin_sdk::http::{
    ErrorCode, Fields, IncomingRequest, Method, OutgoingBody, OutgoingRequest, OutgoingResponse,
    ResponseOutparam, Scheme,
};
use spin_sdk::http_component;
use spin_sdk::wit::wasi::http0_2_0::outgoing_handler;
use spin_sdk::wit::wasi::http0_2_0::types::{IncomingResponse, RequestOptions};
use wasi::clocks::{monotonic_clock, wall_clock};
use wasi::io::poll::{Pollable, poll};
use wasi::io::streams::{InputStream, StreamError};

use crate::host::{
    ConfigStoreError, Host, HttpResponse, KeyValue, OutboundRequest, Reply, RequestHead,
    StoreError, Timeouts, TransportFailure,
};

use spin_sdk::wit::wasi::config::store as config;
use spin_sdk::wit::wasi::keyvalue::store as keyvalue;

#[http_component]
fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
    let started = Instant::now();
    let method = method_name(&request.method());
    let path = request.path_with_query().unwrap_or_default();
    let headers = request.headers().entries();
    let head = RequestHead {
        method: &method,
        path: &path,
        headers: &headers,
    };
    let mut host = Wasi {
        request: Some(request),
        bucket: None,
        started,
    };
    let mut handled = crate::handle(&head, &mut host);
    respond(response_out, &handled.reply);
    crate::after_answer(&mut host, &mut handled);
    handled.log.duration_us =
        Some(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    // The answer is out; a failed log write must not trap the instance.
    let mut line = handled.log.to_json().into_bytes();
    line.push(b'\n');
    log(&line);
}

/// The component's access to the host, for one request.
struct Wasi {
    /// The request, until its body is read.
    request: Option<IncomingRequest>,
    /// The key-value store, opened on first use (most requests never touch it).
    bucket: Option<Result<keyvalue::Bucket, StoreError>>,
    /// When the request arrived.
    started: Instant,
}

/// The key-value store the component uses; `spin.toml` must list it in `key_value_stores`.
const STORE_LABEL: &str = "default";

/// Pages of `list-keys` read at most (Spin answers in one page; a cursor is followed).
const MAX_KEY_PAGES: usize = 64;

impl Wasi {
    fn bucket(&mut self) -> Result<&keyvalue::Bucket, StoreError> {
        self.bucket
            .get_or_insert_with(|| keyvalue::open(STORE_LABEL).map_err(|_| StoreError))
            .as_ref()
            .map_err(|&e| e)
    }
}

// The store's own error texts are dropped: they may name hosts or paths.
impl KeyValue for Wasi {
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.bucket()?.get(key).map_err(|_| StoreError)
    }

    fn set(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.bucket()?.set(key, value).map_err(|_| StoreError)
    }

    fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        self.bucket()?.delete(key).map_err(|_| StoreError)
    }

    fn keys(&mut self) -> Result<Vec<String>, StoreError> {
        let bucket = self.bucket()?;
        let mut keys = Vec::new();
        let mut cursor = None;
        for _ in 0..MAX_KEY_PAGES {
            let page = bucket
                .list_keys(cursor.as_deref())
                .map_err(|_| StoreError)?;
            keys.extend(page.keys);
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
        Ok(keys)
    }
}

impl Host for Wasi {
    fn config(&mut self, key: &str) -> Result<Option<String>, ConfigStoreError> {
        config::get(key).map_err(|_| ConfigStoreError)
    }

    fn read_body(&mut self, up_to: usize) -> Option<Vec<u8>> {
        let body = self.request.take()?.consume().ok()?;
        let stream = body.stream().ok()?;
        read_up_to(&stream, up_to)
    }

    fn post(
        &mut self,
        outbound: &OutboundRequest,
        timeouts: Timeouts,
    ) -> Result<HttpResponse, TransportFailure> {
        // The per-phase timeouts bound each wait, not their sum (the host may not bound a TLS
        // handshake at all): one deadline over the whole exchange keeps the answer in time.
        let deadline = monotonic_clock::subscribe_duration(nanos(timeouts.whole));
        let (url, payload) = (outbound.url, outbound.body);
        let mut entries = vec![
            (
                "content-type".to_owned(),
                outbound.content_type().as_bytes().to_vec(),
            ),
            (
                "content-length".to_owned(),
                payload.len().to_string().into_bytes(),
            ),
        ];
        entries.extend(
            outbound
                .headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec())),
        );
        let headers = Fields::from_list(&entries)
            .map_err(|_| TransportFailure::Unreachable("invalid_request"))?;
        let request = OutgoingRequest::new(headers);
        let scheme = if url.is_https() {
            Scheme::Https
        } else {
            Scheme::Http
        };
        // Endpoint only holds what a request line can carry, so the host should take every
        // value; if it ever does not, the request is not sent half-set.
        let set = request.set_method(&Method::Post).is_ok()
            && request.set_scheme(Some(&scheme)).is_ok()
            && request.set_authority(Some(url.authority())).is_ok()
            && request
                .set_path_with_query(Some(url.path_and_query()))
                .is_ok();
        if !set {
            return Err(TransportFailure::Unreachable("invalid_request"));
        }
        let body = request
            .body()
            .map_err(|()| TransportFailure::Unreachable("invalid_request"))?;

        let future = outgoing_handler::handle(request, Some(options(timeouts)))
            .map_err(|code| transport_failure(&code))?;
        write_all(&body, payload).map_err(|_| TransportFailure::Unreachable("write_failed"))?;
        OutgoingBody::finish(body, None).map_err(|code| transport_failure(&code))?;

        if !ready_before(&future.subscribe(), &deadline) {
            return Err(TransportFailure::Timeout);
        }
        let response = match future.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(transport_failure(&code)),
            Some(Err(())) | None => return Err(TransportFailure::Unreachable("no_response")),
        };
        Ok(read_response(response, outbound, &deadline))
    }

    fn now(&mut self) -> u64 {
        wall_clock::now().seconds
    }

    fn elapsed(&mut self) -> Duration {
        self.started.elapsed()
    }

    fn sleep(&mut self, duration: Duration) {
        monotonic_clock::subscribe_duration(nanos(duration)).block();
    }

    fn random(&mut self) -> u64 {
        wasi::random::random::get_random_u64()
    }
}

/// Writes the log line straight to the `wasi:cli/stdout` stream (std's buffered stdout would
/// add its line-writer machinery for one write per request).
fn log(line: &[u8]) {
    let stdout = wasi::cli::stdout::get_stdout();
    // blocking-write-and-flush takes at most 4096 bytes a call.
    for chunk in line.chunks(4096) {
        if stdout.blocking_write_and_flush(chunk).is_err() {
            return;
        }
    }
}

/// Waits for `ready`; false if `deadline` came first.
fn ready_before(ready: &Pollable, deadline: &Pollable) -> bool {
    poll(&[ready, deadline]).contains(&0)
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// The request options that make the host enforce our timeouts.
fn options(timeouts: Timeouts) -> RequestOptions {
    let options = RequestOptions::new();
    // A host that cannot set a timeout refuses it; we still send rather than drop the alert.
    let _ = options.set_connect_timeout(Some(nanos(timeouts.connect)));
    let _ = options.set_first_byte_timeout(Some(nanos(timeouts.first_byte)));
    let _ = options.set_between_bytes_timeout(Some(nanos(timeouts.between_bytes)));
    options
}

/// The status and `Retry-After`, and as much of the body as the request wants (a Web API or
/// ECS answer, a webhook's error code); whatever of it has not come by the deadline is left.
fn read_response(
    response: IncomingResponse,
    request: &OutboundRequest,
    deadline: &Pollable,
) -> HttpResponse {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .into_iter()
        .next()
        .map(|v| String::from_utf8_lossy(&v).into_owned());
    let wanted = request.body_wanted(status);
    let body = if wanted > 0 {
        response
            .consume()
            .ok()
            .and_then(|body| {
                let stream = body.stream().ok()?;
                Some(read_until(&stream, wanted, deadline))
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    HttpResponse {
        status,
        retry_after,
        body,
    }
}

/// Reads up to `limit` bytes, stopping at the end of the stream, an error or the deadline.
fn read_until(stream: &InputStream, limit: usize, deadline: &Pollable) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() < limit && ready_before(&stream.subscribe(), deadline) {
        match stream.read((limit - bytes.len()) as u64) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(_) => break,
        }
    }
    bytes
}

/// Names for transport errors; the host's own texts are dropped (they may quote the URL).
fn transport_failure(code: &ErrorCode) -> TransportFailure {
    let how = match code {
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => return TransportFailure::Timeout,
        ErrorCode::DnsError(_) => "dns_error",
        ErrorCode::ConnectionRefused => "connection_refused",
        ErrorCode::DestinationNotFound => "destination_not_found",
        ErrorCode::DestinationUnavailable => "destination_unavailable",
        ErrorCode::HttpRequestDenied => "request_denied",
        ErrorCode::TlsProtocolError
        | ErrorCode::TlsCertificateError
        | ErrorCode::TlsAlertReceived(_) => "tls_error",
        ErrorCode::ConnectionTerminated | ErrorCode::ConnectionLimitReached => "connection_failed",
        _ => "http_error",
    };
    TransportFailure::Unreachable(how)
}

fn read_up_to(stream: &InputStream, up_to: usize) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    while bytes.len() < up_to {
        let want = (up_to - bytes.len()).min(64 * 1024) as u64;
        match stream.blocking_read(want) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(_)) => return None,
        }
    }
    Some(bytes)
}

/// Writes `bytes` without waiting for the reader: `blocking-write-and-flush` would wait until
/// the other side took each chunk, a round trip through the host's scheduler per body.
fn write_all(body: &OutgoingBody, bytes: &[u8]) -> Result<(), StreamError> {
    let stream = body.write().map_err(|()| StreamError::Closed)?;
    let mut rest = bytes;
    while !rest.is_empty() {
        let permitted = usize::try_from(stream.check_write()?).unwrap_or(usize::MAX);
        if permitted == 0 {
            stream.subscribe().block();
            continue;
        }
        let (now, later) = rest.split_at(permitted.min(rest.len()));
        stream.write(now)?;
        rest = later;
    }
    // With every byte written, `Closed` only means the host has already sent the whole body
    // (wasmtime-wasi-http closes the stream once `content-length` bytes went out, which a
    // reused connection can do before we flush): the body is complete, not failed.
    match stream.flush() {
        Ok(()) | Err(StreamError::Closed) => Ok(()),
        Err(error) => Err(error),
    }
}

fn respond(response_out: ResponseOutparam, reply: &Reply) {
    let entries: Vec<(String, Vec<u8>)> = reply
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone().into_bytes()))
        .collect();
    let headers = Fields::from_list(&entries).unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(reply.status);
    let Ok(body) = response.body() else {
        return;
    };
    response_out.set(response);
    if write_all(&body, &reply.body).is_ok() {
        let _ = OutgoingBody::finish(body, None);
    }
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Connect => "CONNECT",
        Method::Options => "OPTIONS",
        Method::Trace => "TRACE",
        Method::Patch => "PATCH",
        Method::Other(other) => other,
    }
    .to_owned()
}
