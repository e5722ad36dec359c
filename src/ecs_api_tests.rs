//! The ECS call: SigV4 against AWS's test vectors (`tests/sigv4/`), the request as ECS reads
//! it, and its answers.

use super::*;

/// One case of the suite: its context, request and the `Authorization` it must sign to.
struct Vector {
    name: &'static str,
    context: &'static str,
    request: &'static str,
    signed: &'static str,
}

macro_rules! vector {
    ($name:literal) => {
        Vector {
            name: $name,
            context: include_str!(concat!("../tests/sigv4/", $name, "/context.json")),
            request: include_str!(concat!("../tests/sigv4/", $name, "/request.txt")),
            signed: include_str!(concat!(
                "../tests/sigv4/",
                $name,
                "/header-signed-request.txt"
            )),
        }
    };
}

const VECTORS: [Vector; 8] = [
    vector!("get-vanilla"),
    vector!("get-vanilla-query-order-key-case"),
    vector!("post-vanilla"),
    vector!("post-vanilla-query"),
    vector!("post-header-key-case"),
    vector!("post-header-key-sort"),
    vector!("post-header-value-case"),
    vector!("get-header-value-trim"),
];

#[derive(Deserialize)]
struct Context {
    credentials: ContextKey,
    region: String,
    service: String,
    timestamp: String,
}

#[derive(Deserialize)]
struct ContextKey {
    access_key_id: String,
    secret_access_key: String,
}

/// The value of the header `name` in a request as the suite writes it (`Name:value` lines).
fn header<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    text.lines()
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

#[test]
fn sigv4_matches_the_aws_test_suite() {
    for vector in VECTORS {
        let context: Context = serde_json::from_str(vector.context).unwrap();
        // The suite's example key is shorter than a real one; the signer takes it as it is.
        let key = AwsKey {
            id: context.credentials.access_key_id,
            secret: context.credentials.secret_access_key,
        };
        let now = humantime::parse_rfc3339(&context.timestamp)
            .unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut lines = vector.request.lines();
        let first = lines.next().unwrap();
        let mut words = first.split(' ');
        let (method, path) = (words.next().unwrap(), words.next().unwrap());
        let host = header(vector.request, "host").unwrap();
        let url = format!("https://{host}{path}");
        let headers: Vec<(&str, &str)> = lines
            .take_while(|line| !line.is_empty())
            .map(|line| line.split_once(':').unwrap())
            .collect();
        let unsigned = Unsigned {
            method,
            url: &url,
            body: b"",
        };
        let signed = sign_v4(
            &unsigned,
            headers.into_iter(),
            &key,
            (&context.region, &context.service),
            now,
        )
        .unwrap();
        let get = |name: &str| {
            signed
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            get("authorization"),
            header(vector.signed, "authorization"),
            "{}",
            vector.name
        );
        assert_eq!(
            get("x-amz-date"),
            header(vector.signed, "x-amz-date"),
            "{}",
            vector.name
        );
    }
}

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn a_continue_call_is_aws_json_signed_for_ecs_in_the_region() {
    let key = AwsKey::parse(KEY_ID, SECRET).unwrap();
    let access = EcsAccess {
        key: key.clone(),
        api_url: None,
    };
    let url = access.endpoint(Partition::Aws, "us-west-2").unwrap();
    assert_eq!(url.authority(), "ecs.us-west-2.amazonaws.com");
    let china = access.endpoint(Partition::AwsCn, "cn-north-1").unwrap();
    assert_eq!(china.authority(), "ecs.cn-north-1.amazonaws.com.cn");
    let arn = "arn:aws:ecs:us-west-2:111122223333:service-deployment/prod/web/abc";
    let body = continue_body(arn, "hook-1", HookAction::Rollback);
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        format!(r#"{{"serviceDeploymentArn":"{arn}","hookId":"hook-1","action":"ROLLBACK"}}"#)
    );
    let request =
        continue_service_deployment(&url, &body, &key, "us-west-2", 1_795_737_600).unwrap();
    assert_eq!(request.content_type(), "application/x-amz-json-1.1");
    assert_eq!(
        request.header("x-amz-target"),
        Some("AmazonEC2ContainerServiceV20141113.ContinueServiceDeployment")
    );
    assert_eq!(request.header("x-amz-date"), Some("20261127T000000Z"));
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261127/us-west-2/ecs/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
        ),
        "{authorization}"
    );
    assert!(!authorization.contains(SECRET));
    // The override takes every region's calls.
    let stand_in = EcsAccess {
        key,
        api_url: Endpoint::parse("http://127.0.0.1:9/").ok(),
    };
    let url = stand_in.endpoint(Partition::Aws, "eu-west-1").unwrap();
    assert_eq!(url.authority(), "127.0.0.1:9");
}

#[test]
fn keys_are_long_term_and_never_shown() {
    let key = AwsKey::parse(KEY_ID, SECRET).unwrap();
    assert_eq!(format!("{key:?}"), "AwsKey(<redacted>)");
    for (id, secret) in [
        ("ASIAIOSFODNN7EXAMPLE", SECRET),
        ("AKIAXX", SECRET),
        ("AKIA IOSFODNN7EXAMPLE", SECRET),
        (KEY_ID, "short"),
        (KEY_ID, "has spaces in the secret key here"),
    ] {
        let error = AwsKey::parse(id, secret).unwrap_err();
        assert!(!error.contains(secret) && !error.contains(id), "{error}");
    }
}

#[test]
fn ecs_answers_say_whether_the_buttons_stay() {
    let response = |status: u16, body: &str| {
        Ok(HttpResponse {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        })
    };
    assert_eq!(answer(response(200, "{}")), EcsAnswer::Accepted);
    for (status, kind, expected) in [
        (
            400,
            "ServiceDeploymentNotFoundException",
            EcsAnswer::Over("ServiceDeploymentNotFoundException".into()),
        ),
        (
            400,
            "com.amazonaws.ecs#InvalidParameterException",
            EcsAnswer::Over("InvalidParameterException".into()),
        ),
        (
            400,
            "ThrottlingException",
            EcsAnswer::TryAgain("ThrottlingException".into()),
        ),
        (
            400,
            "AccessDeniedException",
            EcsAnswer::TryAgain("AccessDeniedException".into()),
        ),
        (
            500,
            "ServerException",
            EcsAnswer::TryAgain("ServerException".into()),
        ),
    ] {
        let body = format!(r#"{{"__type":"{kind}","message":"no"}}"#);
        assert_eq!(answer(response(status, &body)), expected, "{kind}");
    }
    // A body that is not ECS's: the status names it, and a strange `__type` is not echoed.
    assert_eq!(
        answer(response(503, "<html>")),
        EcsAnswer::TryAgain("http_503".into())
    );
    assert_eq!(
        answer(response(400, r#"{"__type":"<!channel> hi"}"#)),
        EcsAnswer::TryAgain("http_400".into())
    );
    assert_eq!(
        answer(Err(TransportFailure::Timeout)),
        EcsAnswer::TryAgain("timeout".into())
    );
}
