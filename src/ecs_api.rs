//! Calls to ECS's API: `ContinueServiceDeployment` in AWS JSON 1.1, signed with Signature
//! Version 4 by a long-term access key, and what ECS's answer means.

use std::fmt;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aws::Partition;
use crate::endpoint::Endpoint;
use crate::host::{Destination, HttpResponse, OutboundRequest, TransportFailure};

/// The AWS JSON 1.1 target of `ContinueServiceDeployment`.
pub const CONTINUE_SERVICE_DEPLOYMENT: &str =
    "AmazonEC2ContainerServiceV20141113.ContinueServiceDeployment";

/// A long-term AWS access key: `aws_access_key_id` and `aws_secret_access_key`. A session
/// token expires and nothing here would refresh it, so none is taken. `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsKey {
    id: String,
    secret: String,
}

impl fmt::Debug for AwsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsKey(<redacted>)")
    }
}

impl AwsKey {
    /// Parses the key's id and secret; the errors never quote them.
    pub fn parse(id: &str, secret: &str) -> Result<Self, &'static str> {
        let id = id.trim();
        let secret = secret.trim();
        if !(16..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("expected an access key id such as AKIA… (letters and digits)");
        }
        if id.starts_with("ASIA") {
            return Err(
                "a temporary key (ASIA…) expires and cannot be refreshed here: use a \
                        long-term key (AKIA…) of the template's IAM user",
            );
        }
        if !(16..=128).contains(&secret.len()) || !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("expected the secret access key that belongs to the key id");
        }
        Ok(Self {
            id: id.to_owned(),
            secret: secret.to_owned(),
        })
    }
}

/// Where ECS's API is, and the key that signs calls to it.
#[derive(Debug, Clone)]
pub struct EcsAccess {
    /// The access key.
    pub key: AwsKey,
    /// `ecs_api_url`: every region's calls go there instead (a stand-in ECS, for tests).
    pub api_url: Option<Endpoint>,
}

impl EcsAccess {
    /// ECS's endpoint in `region` of `partition`: `https://ecs.REGION.amazonaws.com`, with
    /// `amazonaws.com.cn` in China; `ecs_api_url` when set. `region` is a checked region code.
    pub fn endpoint(&self, partition: Partition, region: &str) -> Result<Endpoint, &'static str> {
        if let Some(url) = &self.api_url {
            return Ok(url.clone());
        }
        let suffix = match partition {
            Partition::AwsCn => "amazonaws.com.cn",
            _ => "amazonaws.com",
        };
        Endpoint::parse(&format!("https://ecs.{region}.{suffix}/"))
    }
}

/// What a person chose at a pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HookAction {
    /// Go on to the next stage.
    Continue,
    /// Roll back to the previous revision.
    Rollback,
}

/// A `ContinueServiceDeployment` call, signed for `region` at `now` (Unix seconds).
pub fn continue_service_deployment<'a>(
    url: &'a Endpoint,
    body: &'a [u8],
    key: &AwsKey,
    region: &str,
    now: u64,
) -> Result<OutboundRequest<'a>, &'static str> {
    let headers = vec![("x-amz-target", CONTINUE_SERVICE_DEPLOYMENT.to_owned())];
    let mut request = OutboundRequest {
        url,
        to: Destination::Ecs,
        headers,
        body,
    };
    let signed = signature_headers(&request, key, region, "ecs", now)?;
    request.headers.extend(signed);
    Ok(request)
}

/// The body of a `ContinueServiceDeployment` call.
pub fn continue_body(service_deployment_arn: &str, hook_id: &str, action: HookAction) -> Vec<u8> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        service_deployment_arn: &'a str,
        hook_id: &'a str,
        action: HookAction,
    }
    serde_json::to_vec(&Body {
        service_deployment_arn,
        hook_id,
        action,
    })
    .expect("strings always serialize")
}

/// The headers that sign `request` (its `Content-Type`, its own headers, the host and the
/// body) for `service` in `region` at `now`: `x-amz-date` and `authorization`.
pub fn signature_headers(
    request: &OutboundRequest,
    key: &AwsKey,
    region: &str,
    service: &str,
    now: u64,
) -> Result<Vec<(&'static str, String)>, &'static str> {
    let scheme = if request.url.is_https() {
        "https"
    } else {
        "http"
    };
    let url = format!(
        "{scheme}://{}{}",
        request.url.authority(),
        request.url.path_and_query()
    );
    let content_type = [("content-type", request.content_type())];
    let headers = content_type
        .into_iter()
        .chain(request.headers.iter().map(|(n, v)| (*n, v.as_str())));
    let unsigned = Unsigned {
        method: "POST",
        url: &url,
        body: request.body,
    };
    sign_v4(&unsigned, headers, key, (region, service), now)
}

/// A request as SigV4 reads it, but its headers.
struct Unsigned<'a> {
    method: &'a str,
    url: &'a str,
    body: &'a [u8],
}

/// SigV4's headers for `request` with `headers` (the `Host` header is taken from the URL
/// unless given), for (region, service) at `now`: `x-amz-date` and `authorization`. AWS's
/// Signature Version 4 for one request with its body hashed into the signature, written here
/// on `hmac` and `sha2`: the `aws-sigv4` crate signs the same (AWS's test vectors check both),
/// but its `HashMap`s make the component import `wasi:random/insecure-seed`, an interface the
/// component must not add.
fn sign_v4<'h>(
    request: &Unsigned<'h>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    key: &AwsKey,
    (region, service): (&str, &str),
    now: u64,
) -> Result<Vec<(&'static str, String)>, &'static str> {
    const UNSIGNABLE: &str = "the request could not be signed";
    let url = url::Url::parse(request.url).map_err(|_| UNSIGNABLE)?;
    let stamp = amz_date(now);
    let day = &stamp[..8];
    // Canonical headers: lower-case names, values trimmed with inner runs of spaces made one,
    // sorted by name, repeated names joined by commas.
    let mut canonical: Vec<(String, String)> = headers
        .map(|(name, value)| {
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            (name.trim().to_ascii_lowercase(), value)
        })
        .collect();
    if !canonical.iter().any(|(name, _)| name == "host") {
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        canonical.push(("host".to_owned(), host));
    }
    canonical.push(("x-amz-date".to_owned(), stamp.clone()));
    canonical.sort_by(|a, b| a.0.cmp(&b.0));
    let mut joined: Vec<(String, String)> = Vec::with_capacity(canonical.len());
    for (name, value) in canonical {
        match joined.last_mut() {
            Some((last, values)) if *last == name => {
                values.push(',');
                values.push_str(&value);
            }
            _ => joined.push((name, value)),
        }
    }
    let signed_headers = joined
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_request = format!("{}\n{}\n{query}\n", request.method, url.path());
    for (name, value) in &joined {
        canonical_request.push_str(&format!("{name}:{value}\n"));
    }
    canonical_request.push_str(&format!(
        "\n{signed_headers}\n{}",
        hex::encode(Sha256::digest(request.body))
    ));
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut signing_key = format!("AWS4{}", key.secret).into_bytes();
    for part in [day, region, service, "aws4_request"] {
        signing_key = hmac(&signing_key, part.as_bytes());
    }
    let signature = hex::encode(hmac(&signing_key, to_sign.as_bytes()));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, \
         Signature={signature}",
        key.id
    );
    Ok(vec![
        ("x-amz-date", stamp),
        ("authorization", authorization),
    ])
}

/// HMAC-SHA256 of `data` under `key`.
fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any size");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// `YYYYMMDDTHHMMSSZ` of Unix seconds `now`.
fn amz_date(now: u64) -> String {
    let rfc3339 =
        humantime::format_rfc3339_seconds(SystemTime::UNIX_EPOCH + Duration::from_secs(now));
    rfc3339
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect()
}

/// SigV4's URI encoding: every byte but the unreserved ones percent-encoded, in upper case.
fn uri_encode(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

/// What ECS's answer means for the pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcsAnswer {
    /// ECS took the action.
    Accepted,
    /// ECS refused for good (the deployment is not found, the hook no longer waits, the
    /// request is invalid): the buttons go. Its error code.
    Over(String),
    /// It may pass later (throttled, access denied, a server error, no answer): the buttons
    /// stay. Its error code, or how the call failed.
    TryAgain(String),
}

/// Reads ECS's answer: its status and the JSON error's `__type` (without its namespace).
pub fn answer(answer: Result<HttpResponse, TransportFailure>) -> EcsAnswer {
    let response = match answer {
        Ok(response) => response,
        Err(TransportFailure::Timeout) => return EcsAnswer::TryAgain("timeout".to_owned()),
        Err(TransportFailure::Unreachable(how)) => return EcsAnswer::TryAgain(how.to_owned()),
    };
    if (200..300).contains(&response.status) {
        return EcsAnswer::Accepted;
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        #[serde(rename = "__type")]
        kind: Option<String>,
    }
    let code = serde_json::from_slice::<ErrorBody>(&response.body)
        .ok()
        .and_then(|body| body.kind)
        .map(|kind| kind.rsplit('#').next().unwrap_or_default().to_owned())
        .filter(|code| {
            (1..=100).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .unwrap_or_else(|| format!("http_{}", response.status));
    match code.as_str() {
        "ServiceDeploymentNotFoundException"
        | "InvalidParameterException"
        | "ClientException"
        | "UnsupportedFeatureException"
            if response.status < 500 =>
        {
            EcsAnswer::Over(code)
        }
        _ => EcsAnswer::TryAgain(code),
    }
}

#[cfg(test)]
#[path = "ecs_api_tests.rs"]
mod tests;
