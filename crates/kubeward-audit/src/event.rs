//! The `audit.k8s.io/v1` `Event` and `EventList` types, borrowed from the input text.
//!
//! Field names follow `k8s.io/apiserver/pkg/apis/audit/v1/types.go`. Unknown fields are
//! ignored; `requestObject` and `responseObject` stay unparsed ([`RawValue`]) until a detector
//! asks for them. Strings borrow from the input unless they contain JSON escapes.
//!
//! ```
//! use kubeward_audit::event::{parse_document, Stage};
//! let line = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",
//!   "auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets/db",
//!   "verb":"get","user":{"username":"alice","groups":["dev"]},"sourceIPs":["10.0.0.7"],
//!   "objectRef":{"resource":"secrets","namespace":"default","name":"db","apiVersion":"v1"},
//!   "responseStatus":{"metadata":{},"code":200}}"#;
//! let doc = parse_document(line).unwrap();
//! let ev = doc.events().next().unwrap();
//! assert_eq!(ev.stage, Stage::ResponseComplete);
//! assert_eq!(ev.user.username, "alice");
//! assert_eq!(ev.object_ref.as_ref().map(|o| o.resource.as_ref()), Some("secrets"));
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The API version this crate understands.
pub const API_VERSION: &str = "audit.k8s.io/v1";

/// Audit level (`level`): how much of the request was recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    /// `None`: not logged (should not appear in a log).
    None,
    /// `Metadata`: user, timestamps, resource, verb; no bodies.
    Metadata,
    /// `Request`: metadata plus the request body.
    Request,
    /// `RequestResponse`: metadata plus request and response bodies.
    RequestResponse,
    /// A level this crate does not know (or none given).
    #[default]
    Unknown,
}

impl Level {
    fn from_str_lossy(s: &str) -> Self {
        match s {
            "None" => Self::None,
            "Metadata" => Self::Metadata,
            "Request" => Self::Request,
            "RequestResponse" => Self::RequestResponse,
            _ => Self::Unknown,
        }
    }
}

/// Stage of request handling at which the event was generated (`stage`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Stage {
    /// `RequestReceived`: as soon as the handler receives the request, before authorization.
    RequestReceived,
    /// `ResponseStarted`: headers sent, body not yet (long-running requests: watch, exec).
    ResponseStarted,
    /// `ResponseComplete`: the response body has been completed.
    ResponseComplete,
    /// `Panic`: the handler panicked.
    Panic,
    /// A stage this crate does not know (or none given).
    #[default]
    Unknown,
}

impl Stage {
    fn from_str_lossy(s: &str) -> Self {
        match s {
            "RequestReceived" => Self::RequestReceived,
            "ResponseStarted" => Self::ResponseStarted,
            "ResponseComplete" => Self::ResponseComplete,
            "Panic" => Self::Panic,
            _ => Self::Unknown,
        }
    }

    /// The stage name as written in the log.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequestReceived => "RequestReceived",
            Self::ResponseStarted => "ResponseStarted",
            Self::ResponseComplete => "ResponseComplete",
            Self::Panic => "Panic",
            Self::Unknown => "Unknown",
        }
    }

    /// True for the last event of a request (`ResponseComplete` or `Panic`): every request
    /// produces exactly one of them, so counters count here.
    #[must_use]
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::ResponseComplete | Self::Panic)
    }

    /// True when the event can carry the authorization decision and a response status.
    #[must_use]
    pub fn has_outcome(self) -> bool {
        matches!(
            self,
            Self::ResponseStarted | Self::ResponseComplete | Self::Panic
        )
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! lossy_enum_de {
    ($ty:ident, $what:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        Ok($ty::from_str_lossy(v))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}
lossy_enum_de!(Level, "an audit level string");
lossy_enum_de!(Stage, "an audit stage string");

/// Microseconds since the Unix epoch, parsed from a `metav1.MicroTime` (RFC 3339).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Whole seconds since the epoch (floor).
    #[must_use]
    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// Parses RFC 3339 (`2024-05-01T03:00:00.123456Z`, offsets `+02:00` accepted).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = b.get(from..from + len)?;
            let mut n: i64 = 0;
            for &c in part {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + i64::from(c - b'0');
            }
            Some(n)
        };
        let sep = |at: usize, want: &[u8]| b.get(at).is_some_and(|c| want.contains(c));
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
            return None;
        }
        let (hour, min, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 {
            return None;
        }
        if sec > 60 {
            return None;
        }
        let mut i = 19;
        let mut micros: i64 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let mut digits = 0;
            while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                if digits < 6 {
                    micros = micros * 10 + i64::from(c - b'0');
                }
                digits += 1;
                i += 1;
            }
            if digits == 0 {
                return None;
            }
            for _ in digits..6 {
                micros *= 10;
            }
        }
        let offset_secs = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(&c @ (b'+' | b'-')) if i + 6 == b.len() && sep(i + 3, b":") => {
                let v = num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60;
                if c == b'+' { v } else { -v }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
        Some(Self(secs * 1_000_000 + micros))
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with microseconds, like the API server writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000);
        let micros = self.0.rem_euclid(1_000_000);
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = BorrowedStr::deserialize(d)?;
        Self::parse(&s.0)
            .ok_or_else(|| de::Error::custom(format!("invalid RFC 3339 timestamp `{}`", s.0)))
    }
}

/// A string that borrows from the input when it has no escapes.
struct BorrowedStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BorrowedStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `null` or absent becomes the empty string, like Go's zero value.
fn cow<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    Ok(Option::<BorrowedStr<'de>>::deserialize(d)?.map_or(Cow::Borrowed(""), |s| s.0))
}

fn vec_cow<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'de, str>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(2).min(64));
            while let Some(s) = seq.next_element::<BorrowedStr<'de>>()? {
                out.push(s.0);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

fn map_cow<'de, D: Deserializer<'de>>(d: D) -> Result<Annotations<'de>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Annotations<'de>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of strings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Annotations::default())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) =
                map.next_entry::<BorrowedStr<'de>, Option<BorrowedStr<'de>>>()?
            {
                out.push((k.0, v.map_or(Cow::Borrowed(""), |v| v.0)));
            }
            Ok(Annotations(out))
        }
    }
    d.deserialize_any(V)
}

/// `user` / `impersonatedUser`: `authentication/v1.UserInfo` (the `extra` map is ignored).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct UserInfo<'a> {
    /// `username`.
    #[serde(default, borrow, deserialize_with = "cow")]
    pub username: Cow<'a, str>,
    /// `uid`.
    #[serde(default, borrow, deserialize_with = "cow")]
    pub uid: Cow<'a, str>,
    /// `groups`.
    #[serde(default, borrow, deserialize_with = "vec_cow")]
    pub groups: Vec<Cow<'a, str>>,
}

impl UserInfo<'_> {
    /// True when `groups` contains `group`.
    #[must_use]
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// `objectRef`: the object the request was about.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ObjectReference<'a> {
    /// `resource` (plural, lower case: `pods`, `secrets`).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub resource: Cow<'a, str>,
    /// `namespace` (empty for cluster-scoped objects and cluster-wide lists).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub namespace: Cow<'a, str>,
    /// `name` (empty for list, watch, create without a name).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub name: Cow<'a, str>,
    /// `uid`.
    #[serde(default, borrow, deserialize_with = "cow")]
    pub uid: Cow<'a, str>,
    /// `apiGroup` (empty for the core group).
    #[serde(default, borrow, deserialize_with = "cow", rename = "apiGroup")]
    pub api_group: Cow<'a, str>,
    /// `apiVersion`.
    #[serde(default, borrow, deserialize_with = "cow", rename = "apiVersion")]
    pub api_version: Cow<'a, str>,
    /// `resourceVersion`.
    #[serde(default, borrow, deserialize_with = "cow", rename = "resourceVersion")]
    pub resource_version: Cow<'a, str>,
    /// `subresource` (`exec`, `status`, `token`, ...).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub subresource: Cow<'a, str>,
}

/// `responseStatus`: the parts of `metav1.Status` detectors use.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ResponseStatus<'a> {
    /// `code`: HTTP status code (0 when absent).
    #[serde(default)]
    pub code: i32,
    /// `status`: `Success` or `Failure` (often absent on success).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub status: Cow<'a, str>,
    /// `reason`: machine-readable reason (`Forbidden`, `NotFound`).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub reason: Cow<'a, str>,
}

/// `annotations`: kept in input order; look up with [`Annotations::get`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl Annotations<'_> {
    /// The value of `key`, if present.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// Annotation key holding the authorizer's decision (`allow` / `forbid`).
pub const DECISION_ANNOTATION: &str = "authorization.k8s.io/decision";
/// Annotation key holding the authorizer's reason.
pub const REASON_ANNOTATION: &str = "authorization.k8s.io/reason";

/// The outcome of the request as far as this event tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    /// A response code below 400 (or, without a code, an `allow` decision).
    Allowed,
    /// 401 or 403 (or, without a code, a `forbid` decision).
    Denied,
    /// Another error code at or above 400 (authorized, but the request failed).
    Failed,
    /// No response status and no decision (the `RequestReceived` stage).
    Unknown,
}

/// One audit event (`kind: Event`, `apiVersion: audit.k8s.io/v1`).
///
/// `Debug` shows the sizes of `requestObject` and `responseObject`, never their content.
#[derive(Clone, Default, Deserialize)]
pub struct Event<'a> {
    /// `kind` (`Event`; empty when absent).
    #[serde(default, borrow, deserialize_with = "cow")]
    pub kind: Cow<'a, str>,
    /// `apiVersion` (`audit.k8s.io/v1`; empty when absent).
    #[serde(default, borrow, deserialize_with = "cow", rename = "apiVersion")]
    pub api_version: Cow<'a, str>,
    /// `level`.
    #[serde(default = "unknown_level")]
    pub level: Level,
    /// `auditID`: unique per request, shared by all stages of that request.
    #[serde(default, borrow, deserialize_with = "cow", rename = "auditID")]
    pub audit_id: Cow<'a, str>,
    /// `stage`.
    #[serde(default = "unknown_stage")]
    pub stage: Stage,
    /// `requestURI`.
    #[serde(default, borrow, deserialize_with = "cow", rename = "requestURI")]
    pub request_uri: Cow<'a, str>,
    /// `verb`: Kubernetes verb, or the lower-cased HTTP method for non-resource requests.
    #[serde(default, borrow, deserialize_with = "cow")]
    pub verb: Cow<'a, str>,
    /// `user`: the authenticated user.
    #[serde(default, borrow)]
    pub user: UserInfo<'a>,
    /// `impersonatedUser`: present when the request impersonated another user.
    #[serde(default, borrow, rename = "impersonatedUser")]
    pub impersonated_user: Option<UserInfo<'a>>,
    /// `sourceIPs`: client and intermediate proxies (X-Forwarded-For), client first.
    #[serde(default, borrow, deserialize_with = "vec_cow", rename = "sourceIPs")]
    pub source_ips: Vec<Cow<'a, str>>,
    /// `userAgent`.
    #[serde(default, borrow, deserialize_with = "cow", rename = "userAgent")]
    pub user_agent: Cow<'a, str>,
    /// `objectRef`: absent for non-resource requests (`/healthz`).
    #[serde(default, borrow, rename = "objectRef")]
    pub object_ref: Option<ObjectReference<'a>>,
    /// `responseStatus`: absent at `RequestReceived`.
    #[serde(default, borrow, rename = "responseStatus")]
    pub response_status: Option<ResponseStatus<'a>>,
    /// `requestObject` (levels `Request` and up), unparsed.
    #[serde(default, borrow, rename = "requestObject")]
    pub request_object: Option<&'a RawValue>,
    /// `responseObject` (level `RequestResponse`), unparsed. May hold secret values: never
    /// copied into findings.
    #[serde(default, borrow, rename = "responseObject")]
    pub response_object: Option<&'a RawValue>,
    /// `requestReceivedTimestamp`.
    #[serde(default, rename = "requestReceivedTimestamp")]
    pub request_received_timestamp: Option<Timestamp>,
    /// `stageTimestamp`.
    #[serde(default, rename = "stageTimestamp")]
    pub stage_timestamp: Option<Timestamp>,
    /// `annotations`.
    #[serde(default, borrow, deserialize_with = "map_cow")]
    pub annotations: Annotations<'a>,
}

/// Debug stand-in for a body: its size only.
struct BodySize(Option<usize>);

impl fmt::Debug for BodySize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "<{n} bytes, redacted>"),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kind", &self.kind)
            .field("api_version", &self.api_version)
            .field("level", &self.level)
            .field("audit_id", &self.audit_id)
            .field("stage", &self.stage)
            .field("request_uri", &self.request_uri)
            .field("verb", &self.verb)
            .field("user", &self.user)
            .field("impersonated_user", &self.impersonated_user)
            .field("source_ips", &self.source_ips)
            .field("user_agent", &self.user_agent)
            .field("object_ref", &self.object_ref)
            .field("response_status", &self.response_status)
            .field(
                "request_object",
                &BodySize(self.request_object.map(|r| r.get().len())),
            )
            .field(
                "response_object",
                &BodySize(self.response_object.map(|r| r.get().len())),
            )
            .field(
                "request_received_timestamp",
                &self.request_received_timestamp,
            )
            .field("stage_timestamp", &self.stage_timestamp)
            .field("annotations", &self.annotations)
            .finish()
    }
}

fn unknown_level() -> Level {
    Level::Unknown
}
fn unknown_stage() -> Stage {
    Stage::Unknown
}

impl<'a> Event<'a> {
    /// The HTTP response code, when the event has a response status.
    #[must_use]
    pub fn code(&self) -> Option<i32> {
        self.response_status
            .as_ref()
            .map(|s| s.code)
            .filter(|c| *c != 0)
    }

    /// The `authorization.k8s.io/decision` annotation.
    #[must_use]
    pub fn decision(&self) -> Option<&str> {
        self.annotations.get(DECISION_ANNOTATION)
    }

    /// Whether the request was allowed and succeeded, was denied, or failed.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        match self.code() {
            Some(401 | 403) => Outcome::Denied,
            Some(c) if c >= 400 => Outcome::Failed,
            Some(_) => Outcome::Allowed,
            None => match self.decision() {
                Some("allow") => Outcome::Allowed,
                Some("forbid") => Outcome::Denied,
                _ => Outcome::Unknown,
            },
        }
    }

    /// True when the request was allowed (see [`Event::outcome`]).
    #[must_use]
    pub fn allowed(&self) -> bool {
        self.outcome() == Outcome::Allowed
    }

    /// The event's time: `requestReceivedTimestamp`, else `stageTimestamp`.
    #[must_use]
    pub fn time(&self) -> Option<Timestamp> {
        self.request_received_timestamp.or(self.stage_timestamp)
    }

    /// `objectRef.resource`, or `""`.
    #[must_use]
    pub fn resource(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| o.resource.as_ref())
    }

    /// `objectRef.subresource`, or `""`.
    #[must_use]
    pub fn subresource(&self) -> &str {
        self.object_ref
            .as_ref()
            .map_or("", |o| o.subresource.as_ref())
    }

    /// `objectRef.namespace`, or `""`.
    #[must_use]
    pub fn namespace(&self) -> &str {
        self.object_ref
            .as_ref()
            .map_or("", |o| o.namespace.as_ref())
    }

    /// `objectRef.name`, or `""`.
    #[must_use]
    pub fn name(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| o.name.as_ref())
    }

    /// `objectRef.apiGroup`, or `""`.
    #[must_use]
    pub fn api_group(&self) -> &str {
        self.object_ref
            .as_ref()
            .map_or("", |o| o.api_group.as_ref())
    }

    /// True when the request targets `resource` (and `subresource`; `""` for none).
    #[must_use]
    pub fn targets(&self, resource: &str, subresource: &str) -> bool {
        self.object_ref
            .as_ref()
            .is_some_and(|o| o.resource == resource && o.subresource == subresource)
    }

    /// Parses `requestObject` into `T` (lazily; `None` when absent or of another shape).
    #[must_use]
    pub fn request_as<T: Deserialize<'a>>(&self) -> Option<T> {
        self.request_object
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// Parses `responseObject` into `T` (lazily; `None` when absent or of another shape).
    #[must_use]
    pub fn response_as<T: Deserialize<'a>>(&self) -> Option<T> {
        self.response_object
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// True when [`Event::resulting_object`] has a body to look at (the level was high enough).
    #[must_use]
    pub fn has_resulting_object(&self) -> bool {
        (matches!(self.verb.as_ref(), "create" | "update") && self.request_object.is_some())
            || self.response_object.is_some()
    }

    /// The object the request produced: `requestObject` for create and update (the full
    /// object), `responseObject` for every verb (the stored object at `RequestResponse`
    /// level). A patch body is not an object, so patch requests use the response only.
    #[must_use]
    pub fn resulting_object<T: Deserialize<'a>>(&self) -> Option<T> {
        if matches!(self.verb.as_ref(), "create" | "update")
            && let Some(v) = self.request_as::<T>()
        {
            return Some(v);
        }
        self.response_as::<T>()
    }
}

/// The wire form of a top-level document: an `Event` or an `EventList`.
#[derive(Deserialize)]
struct DocWire<'a> {
    #[serde(default, borrow, deserialize_with = "cow")]
    kind: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "cow", rename = "apiVersion")]
    api_version: Cow<'a, str>,
    #[serde(default, borrow)]
    items: Option<Vec<Event<'a>>>,
    #[serde(default = "unknown_level")]
    level: Level,
    #[serde(default, borrow, deserialize_with = "cow", rename = "auditID")]
    audit_id: Cow<'a, str>,
    #[serde(default = "unknown_stage")]
    stage: Stage,
    #[serde(default, borrow, deserialize_with = "cow", rename = "requestURI")]
    request_uri: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "cow")]
    verb: Cow<'a, str>,
    #[serde(default, borrow)]
    user: UserInfo<'a>,
    #[serde(default, borrow, rename = "impersonatedUser")]
    impersonated_user: Option<UserInfo<'a>>,
    #[serde(default, borrow, deserialize_with = "vec_cow", rename = "sourceIPs")]
    source_ips: Vec<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "cow", rename = "userAgent")]
    user_agent: Cow<'a, str>,
    #[serde(default, borrow, rename = "objectRef")]
    object_ref: Option<ObjectReference<'a>>,
    #[serde(default, borrow, rename = "responseStatus")]
    response_status: Option<ResponseStatus<'a>>,
    #[serde(default, borrow, rename = "requestObject")]
    request_object: Option<&'a RawValue>,
    #[serde(default, borrow, rename = "responseObject")]
    response_object: Option<&'a RawValue>,
    #[serde(default, rename = "requestReceivedTimestamp")]
    request_received_timestamp: Option<Timestamp>,
    #[serde(default, rename = "stageTimestamp")]
    stage_timestamp: Option<Timestamp>,
    #[serde(default, borrow, deserialize_with = "map_cow")]
    annotations: Annotations<'a>,
}

/// A parsed top-level document.
// The single event is the common case (one per log line); boxing it would cost an
// allocation per line.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Document<'a> {
    /// A single `Event` (the log backend writes one per line).
    Event(Event<'a>),
    /// An `EventList` (the webhook backend's batch), in order.
    List(Vec<Event<'a>>),
}

impl<'a> Document<'a> {
    /// The events of the document, in order.
    pub fn events(&self) -> std::slice::Iter<'_, Event<'a>> {
        match self {
            Self::Event(e) => std::slice::from_ref(e).iter(),
            Self::List(v) => v.iter(),
        }
    }

    /// Number of events.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Event(_) => 1,
            Self::List(v) => v.len(),
        }
    }

    /// True for an empty `EventList`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a document could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not valid JSON, or a field of the wrong type.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `apiVersion` names another API version.
    #[error("unsupported apiVersion `{0}` (expected `audit.k8s.io/v1`)")]
    ApiVersion(String),
    /// `kind` is neither `Event` nor `EventList`.
    #[error("unsupported kind `{0}` (expected `Event` or `EventList`)")]
    Kind(String),
    /// An item of an `EventList` has the wrong `kind` or `apiVersion`.
    #[error("EventList item {index}: {source}")]
    Item {
        /// Zero-based index of the item.
        index: usize,
        /// What is wrong with it.
        source: Box<ParseError>,
    },
}

fn check_header(kind: &str, api_version: &str, allowed_kind: &str) -> Result<(), ParseError> {
    if !api_version.is_empty() && api_version != API_VERSION {
        return Err(ParseError::ApiVersion(api_version.to_owned()));
    }
    if !kind.is_empty() && kind != allowed_kind {
        return Err(ParseError::Kind(kind.to_owned()));
    }
    Ok(())
}

/// Parses one JSON document: an `Event` or an `EventList`.
///
/// A missing `kind` is read as `EventList` when `items` is present, else as `Event`; a missing
/// `apiVersion` is accepted. Any other `apiVersion` than `audit.k8s.io/v1` is an error.
///
/// # Errors
/// [`ParseError`] when the text is not JSON, a field has the wrong type, or the kind or
/// API version is not supported.
pub fn parse_document(text: &str) -> Result<Document<'_>, ParseError> {
    let w: DocWire<'_> = serde_json::from_str(text)?;
    let is_list = w.kind == "EventList" || (w.kind.is_empty() && w.items.is_some());
    if is_list {
        check_header(&w.kind, &w.api_version, "EventList")?;
        let items = w.items.unwrap_or_default();
        for (index, e) in items.iter().enumerate() {
            check_header(&e.kind, &e.api_version, "Event").map_err(|source| ParseError::Item {
                index,
                source: Box::new(source),
            })?;
        }
        return Ok(Document::List(items));
    }
    check_header(&w.kind, &w.api_version, "Event")?;
    Ok(Document::Event(Event {
        kind: w.kind,
        api_version: w.api_version,
        level: w.level,
        audit_id: w.audit_id,
        stage: w.stage,
        request_uri: w.request_uri,
        verb: w.verb,
        user: w.user,
        impersonated_user: w.impersonated_user,
        source_ips: w.source_ips,
        user_agent: w.user_agent,
        object_ref: w.object_ref,
        response_status: w.response_status,
        request_object: w.request_object,
        response_object: w.response_object,
        request_received_timestamp: w.request_received_timestamp,
        stage_timestamp: w.stage_timestamp,
        annotations: w.annotations,
    }))
}

/// Parses a single `Event` (an `EventList` is an error).
///
/// # Errors
/// As [`parse_document`], plus [`ParseError::Kind`] for an `EventList`.
pub fn parse_event(text: &str) -> Result<Event<'_>, ParseError> {
    match parse_document(text)? {
        Document::Event(e) => Ok(e),
        Document::List(_) => Err(ParseError::Kind("EventList".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deepest nesting a default-size line can hold.
    const DEFAULT_LINE_DEPTH: usize = crate::input::DEFAULT_MAX_LINE_BYTES / 2;

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp::parse("2024-05-01T03:00:00.123456Z").unwrap();
        assert_eq!(t.to_string(), "2024-05-01T03:00:00.123456Z");
        assert_eq!(t.seconds(), 1_714_532_400);
        let t2 = Timestamp::parse("2024-05-01T05:00:00.123456+02:00").unwrap();
        assert_eq!(t, t2);
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z").unwrap(),
            Timestamp(0)
        );
        assert_eq!(
            Timestamp::parse("2024-02-29T23:59:59.5Z")
                .unwrap()
                .to_string(),
            "2024-02-29T23:59:59.500000Z"
        );
        for bad in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2024-05-01T00:00:00",
            "2024-05-01T00:00:00.Z",
            "2024-05-01T00:00:00Zjunk",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let text = r#"{"auditID":"x","user":{"username":"a\u0041","groups":["g1"]},"sourceIPs":["1.2.3.4"],"annotations":{"k":"v"}}"#;
        let ev = parse_event(text).unwrap();
        assert!(matches!(ev.audit_id, Cow::Borrowed(_)));
        assert!(matches!(ev.user.username, Cow::Owned(_)));
        assert_eq!(ev.user.username, "aA");
        assert!(matches!(ev.user.groups[0], Cow::Borrowed(_)));
        assert!(matches!(ev.source_ips[0], Cow::Borrowed(_)));
        assert_eq!(ev.annotations.get("k"), Some("v"));
        assert_eq!(ev.stage, Stage::Unknown);
    }

    #[test]
    fn header_checks() {
        assert!(matches!(
            parse_document(r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1"}"#),
            Err(ParseError::ApiVersion(_))
        ));
        assert!(matches!(
            parse_document(r#"{"kind":"Pod","apiVersion":"audit.k8s.io/v1"}"#),
            Err(ParseError::Kind(_))
        ));
        let list = parse_document(
            r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{"auditID":"1"},{"auditID":"2","kind":"Event"}]}"#,
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert!(matches!(
            parse_document(r#"{"kind":"EventList","items":[{"kind":"Pod"}]}"#),
            Err(ParseError::Item { index: 0, .. })
        ));
    }

    #[test]
    fn outcome_from_code_or_decision() {
        let ev = |s: &str| parse_event(s).unwrap().outcome();
        assert_eq!(ev(r#"{"responseStatus":{"code":200}}"#), Outcome::Allowed);
        assert_eq!(ev(r#"{"responseStatus":{"code":101}}"#), Outcome::Allowed);
        assert_eq!(ev(r#"{"responseStatus":{"code":403}}"#), Outcome::Denied);
        assert_eq!(ev(r#"{"responseStatus":{"code":404}}"#), Outcome::Failed);
        assert_eq!(
            ev(r#"{"annotations":{"authorization.k8s.io/decision":"allow"}}"#),
            Outcome::Allowed
        );
        assert_eq!(ev("{}"), Outcome::Unknown);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // Typed fields: serde_json's recursion limit (128) makes this an error.
        for field in ["annotations", "user", "objectRef", "items"] {
            let deep = format!(
                "{{\"{field}\":{}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            assert!(parse_document(&deep).is_err(), "{field}");
        }
        // Raw bodies are skipped without recursion, up to what a 16 MiB line can hold; a
        // detector's typed parse of such a body fails (None) instead of overflowing.
        let n = DEFAULT_LINE_DEPTH;
        let deep = format!("{{\"requestObject\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        let ev = parse_event(&deep).unwrap();
        assert!(ev.request_as::<serde_json::Value>().is_none());
    }

    #[test]
    fn debug_redacts_bodies() {
        let ev = parse_event(
            r#"{"verb":"get","responseObject":{"kind":"Secret","data":{"k":"c2VjcmV0"}}}"#,
        )
        .unwrap();
        let dbg = format!("{ev:?}");
        assert!(!dbg.contains("c2VjcmV0"), "{dbg}");
        assert!(
            dbg.contains("response_object: <41 bytes, redacted>"),
            "{dbg}"
        );
    }

    #[test]
    fn null_fields_are_zero_values() {
        let ev = parse_event(
            r#"{"user":{"username":null,"groups":null},"sourceIPs":null,"annotations":null,"objectRef":null}"#,
        )
        .unwrap();
        assert_eq!(ev.user.username, "");
        assert!(ev.source_ips.is_empty());
        assert!(ev.object_ref.is_none());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_never_panics(s in "\\PC{0,200}") {
                let _ = parse_document(&s);
            }

            #[test]
            fn json_shaped_input_never_panics(
                key in prop::sample::select(vec!["auditID", "stage", "user", "sourceIPs", "annotations",
                    "objectRef", "responseStatus", "requestObject", "stageTimestamp", "items", "kind"]),
                value in prop::sample::select(vec!["null", "1", "\"x\"", "[]", "{}", "[1,\"a\"]",
                    "{\"code\":\"x\"}", "\"2024-05-01T03:00:00Z\"", "true"]),
            ) {
                let _ = parse_document(&format!("{{\"{key}\":{value}}}"));
            }

            #[test]
            fn timestamp_round_trips(micros in -62_167_219_200_000_000i64..253_402_300_800_000_000i64) {
                let t = Timestamp(micros);
                prop_assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
            }

            #[test]
            fn timestamp_parse_never_panics(s in "[0-9T:.Zz+ -]{0,40}") {
                let _ = Timestamp::parse(&s);
            }
        }
    }
}
