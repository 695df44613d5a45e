//! The detectors: one metadata record, one documentation text and one check each.
//!
//! Adding a detector: write it in the module of its family, add one line to [`REGISTRY`],
//! add `tests/fixtures/<name>/{fire,quiet}.jsonl`.

use crate::config::{AllowList, Config};
use crate::event::Event;
use crate::finding::{DetectorMeta, Hit};

pub(crate) mod access;
pub(crate) mod anomaly;
pub(crate) mod privilege;
pub(crate) mod tamper;
pub(crate) mod workload;

/// What a detector sees besides the event.
pub(crate) struct Cx<'c> {
    pub config: &'c Config,
    pub allow: &'c AllowList,
    /// Set when the event was of interest but lacked the body the detector needs.
    pub blind: &'c std::cell::Cell<bool>,
}

impl Cx<'_> {
    /// True when the event's identity or namespace is on this detector's allow-list.
    pub fn allowed(&self, ev: &Event<'_>) -> bool {
        self.allow.matches(ev)
    }

    /// The resulting object of `ev`, noting when the audit level left it out.
    pub fn body<'a, T: serde::Deserialize<'a>>(&self, ev: &Event<'a>) -> Option<T> {
        if !ev.has_resulting_object() {
            self.blind.set(true);
            return None;
        }
        ev.resulting_object()
    }
}

impl Spec {
    /// Applies this detector's allow-list to `ev`.
    pub fn allows(&self, allow: &AllowList, ev: &Event<'_>) -> bool {
        if self.allow_authenticated_only {
            allow.matches_authenticated(ev)
        } else {
            allow.matches(ev)
        }
    }
}

/// A detector. `check` sees every event with an outcome (stages `ResponseStarted`,
/// `ResponseComplete`, `Panic`) and returns at most one hit; the engine applies the allow-list
/// to hits, de-duplicates them per `auditID` and adds the evidence.
pub(crate) trait Detector: Send {
    fn check(&mut self, ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit>;

    /// Observations not tracked because a state cap was reached.
    fn dropped(&self) -> u64 {
        0
    }
}

/// A stateless detector is a function.
struct Stateless(fn(&Event<'_>, &Cx<'_>) -> Option<Hit>);

impl Detector for Stateless {
    fn check(&mut self, ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
        (self.0)(ev, cx)
    }
}

/// How the engine builds a detector.
pub(crate) enum Build {
    Stateless(fn(&Event<'_>, &Cx<'_>) -> Option<Hit>),
    Stateful(fn(&Config) -> Box<dyn Detector>),
}

/// A registry entry.
pub(crate) struct Spec {
    pub meta: &'static DetectorMeta,
    /// Built-in allow-list (user patterns).
    pub default_allow: &'static [&'static str],
    pub build: Build,
    /// Fire at most once per `auditID` (false for detectors that fire per window).
    pub once_per_request: bool,
    /// Judge the allow-list on the authenticated user only (the impersonator), not on the
    /// pair of authenticated and impersonated users.
    pub allow_authenticated_only: bool,
}

impl Spec {
    pub fn instantiate(&self, config: &Config) -> Box<dyn Detector> {
        match self.build {
            Build::Stateless(f) => Box::new(Stateless(f)),
            Build::Stateful(f) => f(config),
        }
    }
}

/// Every detector, in code order. The index is the de-duplication bit (fewer than 64).
pub(crate) static REGISTRY: &[Spec] = &[
    access::SECRET_READ,
    access::SECRET_LIST_CLUSTER_WIDE,
    access::EXEC,
    access::ATTACH,
    access::PORT_FORWARD,
    access::NODE_PROXY,
    privilege::CLUSTER_ADMIN_BINDING,
    privilege::RBAC_WILDCARD,
    access::SA_TOKEN,
    access::IMPERSONATION,
    access::ANONYMOUS,
    anomaly::FORBIDDEN_BURST,
    workload::PRIVILEGED,
    workload::HOSTPATH,
    workload::PROTECTED_NAMESPACE_POD,
    tamper::WEBHOOK,
    tamper::AUDIT_TAMPER,
    tamper::CRD_APISERVICE,
    privilege::CSR_APPROVED,
    tamper::EVENT_DELETED,
    anomaly::RATE_SPIKE,
    anomaly::FIRST_SEEN_IDENTITY,
    anomaly::FIRST_SEEN_SOURCE_IP,
    anomaly::FIRST_SEEN_USER_AGENT,
];

/// Verbs that change state.
pub(crate) fn is_write(verb: &str) -> bool {
    matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    )
}

/// `objectRef` as `namespace/name` (or `name`).
pub(crate) fn object_name(ev: &Event<'_>) -> String {
    match (ev.namespace(), ev.name()) {
        ("", n) => n.to_owned(),
        (ns, n) => format!("{ns}/{n}"),
    }
}

/// Values of `key` in the query of `uri`, percent-decoded like Go's `url.ParseQuery`.
pub(crate) fn query_values(uri: &str, key: &str) -> Vec<String> {
    let Some((_, query)) = uri.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k) == key).then(|| percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| char::from(*h).to_digit(16));
        match c {
            b'+' => out.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.extend(u8::try_from(h * 16 + l).ok());
                    i += 2;
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path of `uri` without its query.
pub(crate) fn uri_path(uri: &str) -> &str {
    uri.split_once('?').map_or(uri, |(p, _)| p)
}

/// Cuts `s` to `max` bytes on a character boundary.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let uri = "/api/v1/namespaces/d/pods/p/exec?command=sh&command=-c&command=cat+%2Fetc%2Fshadow&container=app&stdin=true";
        assert_eq!(
            query_values(uri, "command"),
            vec!["sh", "-c", "cat /etc/shadow"]
        );
        assert_eq!(query_values(uri, "container"), vec!["app"]);
        assert!(query_values("/x", "a").is_empty());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn registry_is_consistent() {
        assert!(REGISTRY.len() < 64);
        let mut codes: Vec<_> = REGISTRY.iter().map(|s| s.meta.code).collect();
        let sorted = {
            let mut c = codes.clone();
            c.sort_unstable();
            c
        };
        assert_eq!(codes, sorted, "registry is in code order");
        codes.dedup();
        assert_eq!(codes.len(), REGISTRY.len());
        for (i, s) in REGISTRY.iter().enumerate() {
            assert_eq!(s.meta.code, format!("AUD{:03}", i + 1));
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example event",
                "## Fix",
                "## False positives",
            ] {
                assert!(
                    s.meta.doc.contains(section),
                    "{} lacks {section}",
                    s.meta.name
                );
            }
            assert!(s.meta.mitre_id.starts_with('T'), "{}", s.meta.name);
        }
    }
}
