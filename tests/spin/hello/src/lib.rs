//! The hello-world floor (see Cargo.toml): every request gets 200 `{"outcome":"ok"}`. It uses
//! the same low-level `wasi:http` calls as the real component's shell (headers from a list, one
//! blocking write of the body, `finish`), without reading the request or writing a log line.

use spin_sdk::http::{Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;

const BODY: &[u8] = br#"{"outcome":"ok"}"#;

#[http_component]
fn handle(_request: IncomingRequest, response_out: ResponseOutparam) {
    let headers = Fields::from_list(&[
        ("content-type".to_owned(), b"application/json".to_vec()),
        (
            "content-length".to_owned(),
            BODY.len().to_string().into_bytes(),
        ),
    ])
    .unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(200);
    let Ok(body) = response.body() else {
        return;
    };
    response_out.set(response);
    let written = body
        .write()
        .map(|stream| stream.blocking_write_and_flush(BODY).is_ok());
    if written == Ok(true) {
        let _ = OutgoingBody::finish(body, None);
    }
}
