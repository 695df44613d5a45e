//! Stateful detectors: bursts of denials, rate spikes against a rolling baseline, and
//! first-seen identities, source addresses and clients for sensitive requests.
//!
//! They count each request once, at its terminal stage (`ResponseComplete` or `Panic`), use
//! the event's own timestamps (so replaying an old log gives the same answers), and keep
//! bounded state: windows, capped maps and sets; what no longer fits is counted, not stored.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{Build, Cx, Detector, Spec};
use crate::config::{Config, SensitiveRule};
use crate::dedup::{IdBuild, hash_parts};
use crate::event::Event;
use crate::finding::{DetectorMeta, Hit, NeedsLevel, Severity};

const MICROS: i64 = 1_000_000;

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static FORBIDDEN_BURST_META: DetectorMeta = DetectorMeta {
    code: "AUD012",
    name: "forbidden-burst",
    title: "Burst of 403 Forbidden responses to one identity",
    severity: Severity::Medium,
    mitre_id: "T1613",
    mitre_name: "Container and Resource Discovery",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an identity that received `forbiddenBurst.threshold` (default 20) responses with code
403 within `forbiddenBurst.windowSeconds` (default 60). Fires once per burst, then stays quiet
for one window; names a sample of the verbs and resources tried.

## Why is this bad?
Attackers with a stolen token probe what it may do (`can-i` by trial, enumeration tools such
as kube-hunter or peirates): a sudden run of denials from one identity is reconnaissance.

## Example event
One of twenty such events within a minute:
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-12","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/secrets","verb":"list","user":{"username":"system:serviceaccount:default:webapp","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.244.1.17"],"userAgent":"curl/8.5.0","objectRef":{"resource":"secrets","namespace":"kube-system","apiVersion":"v1"},"responseStatus":{"metadata":{},"status":"Failure","reason":"Forbidden","code":403},"requestReceivedTimestamp":"2024-05-01T03:12:00.000000Z","stageTimestamp":"2024-05-01T03:12:00.001000Z","annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""}}
```

## Fix
Find where the identity's credentials are used from (`sourceIPs`, `userAgent`); rotate them
if the client is not the expected workload.

## False positives
Controllers with a missing permission retry in a loop and trip this too; fix their RBAC or
allow them while you do.
"#,
};

struct BurstState {
    times: VecDeque<i64>,
    last: i64,
    quiet_until: i64,
    samples: Vec<String>,
}

struct ForbiddenBurst {
    window: i64,
    threshold: usize,
    max_identities: usize,
    map: HashMap<u64, BurstState, IdBuild>,
    dropped: u64,
}

fn forbidden_burst(config: &Config) -> Box<dyn Detector> {
    let c = &config.forbidden_burst;
    Box::new(ForbiddenBurst {
        window: i64::from(c.window_seconds) * MICROS,
        threshold: usize::try_from(c.threshold).unwrap_or(usize::MAX).max(1),
        max_identities: c.max_identities.max(1),
        map: HashMap::default(),
        dropped: 0,
    })
}

impl Detector for ForbiddenBurst {
    fn dropped(&self) -> u64 {
        self.dropped
    }

    fn check(&mut self, ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
        if !ev.stage.is_terminal() || ev.code() != Some(403) || ev.user.username.is_empty() {
            return None;
        }
        if cx.allowed(ev) {
            return None;
        }
        let now = ev.time()?.0;
        let key = hash_parts(&[&ev.user.username]);
        if !self.map.contains_key(&key) && self.map.len() >= self.max_identities {
            let horizon = now - self.window;
            self.map
                .retain(|_, s| s.last >= horizon || s.quiet_until > now);
            if self.map.len() >= self.max_identities {
                self.dropped += 1;
                return None;
            }
        }
        let st = self.map.entry(key).or_insert_with(|| BurstState {
            times: VecDeque::new(),
            last: now,
            quiet_until: i64::MIN,
            samples: Vec::new(),
        });
        st.last = st.last.max(now);
        if now < st.quiet_until {
            return None;
        }
        st.times.push_back(now);
        while st.times.front().is_some_and(|&t| t < now - self.window) {
            st.times.pop_front();
        }
        while st.times.len() > self.threshold {
            st.times.pop_front();
        }
        if st.samples.len() < 5 {
            let sample = if ev.object_ref.is_some() {
                let sub = ev.subresource();
                if sub.is_empty() {
                    format!("{} {}", ev.verb, ev.resource())
                } else {
                    format!("{} {}/{sub}", ev.verb, ev.resource())
                }
            } else {
                format!("{} {}", ev.verb, super::uri_path(&ev.request_uri))
            };
            let sample = super::clip(&sample, 128);
            if !st.samples.contains(&sample) {
                st.samples.push(sample);
            }
        }
        if st.times.len() < self.threshold {
            return None;
        }
        let count = st.times.len();
        st.times.clear();
        st.quiet_until = now + self.window;
        let samples = std::mem::take(&mut st.samples);
        Some(
            Hit::new(format!(
                "`{}` received {count} forbidden responses within {} s",
                ev.user.username,
                self.window / MICROS
            ))
            .with("count", count.to_string())
            .with("windowSeconds", (self.window / MICROS).to_string())
            .with("tried", samples.join(", ")),
        )
    }
}

pub(crate) const FORBIDDEN_BURST: Spec = Spec {
    meta: &FORBIDDEN_BURST_META,
    default_allow: &[],
    build: Build::Stateful(forbidden_burst),
    once_per_request: false,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static RATE_SPIKE_META: DetectorMeta = DetectorMeta {
    code: "AUD021",
    name: "rate-spike",
    title: "Request rate of an identity far above its rolling baseline",
    severity: Severity::Medium,
    mitre_id: "T1496",
    mitre_name: "Resource Hijacking",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Counts requests per (identity, verb, resource) in buckets of `rateSpike.bucketSeconds`
(default 300) for the verbs in `rateSpike.verbs` (writes by default). A bucket fires when its
count reaches `rateSpike.minCount` (20) and exceeds `rateSpike.factor` (5) times the mean of
the previous `rateSpike.baselineBuckets` (24) buckets, once the key has
`rateSpike.minHistoryBuckets` (6) buckets of history. Fires at most once per bucket and key.

## Why is this bad?
Cryptominer deployments, mass deletions and scripted abuse of a stolen credential show as a
sudden jump — pod creations by one account at 3 AM — long before anything else looks wrong.

## Example event
One of the many requests in the spiking bucket:
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-21","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/batch/pods","verb":"create","user":{"username":"system:serviceaccount:ci:runner","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.244.5.3"],"userAgent":"python-requests/2.31.0","objectRef":{"resource":"pods","namespace":"batch","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestReceivedTimestamp":"2024-05-01T03:00:05.000000Z","stageTimestamp":"2024-05-01T03:00:05.020000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Look at what the identity created or deleted in the bucket; revoke its credentials if the
burst was not planned.

## False positives
Batch systems, autoscalers and deploy waves are bursty by nature; raise the factor, add
`rateSpike.minCount`, or allow the identity.
"#,
};

struct RateState {
    bucket: i64,
    count: u32,
    history: VecDeque<u32>,
    fired: i64,
}

struct RateSpike {
    bucket_secs: i64,
    baseline: usize,
    min_history: usize,
    min_count: u32,
    factor: f64,
    verbs: Vec<String>,
    max_keys: usize,
    map: HashMap<u64, RateState, IdBuild>,
    dropped: u64,
}

fn rate_spike(config: &Config) -> Box<dyn Detector> {
    let c = &config.rate_spike;
    let baseline = usize::try_from(c.baseline_buckets)
        .unwrap_or(usize::MAX)
        .clamp(1, 10_000);
    Box::new(RateSpike {
        bucket_secs: i64::from(c.bucket_seconds.max(1)),
        baseline,
        min_history: usize::try_from(c.min_history_buckets)
            .unwrap_or(usize::MAX)
            .min(baseline),
        min_count: c.min_count.max(1),
        factor: c.factor,
        verbs: c.verbs.clone(),
        max_keys: c.max_keys.max(1),
        map: HashMap::default(),
        dropped: 0,
    })
}

impl Detector for RateSpike {
    fn dropped(&self) -> u64 {
        self.dropped
    }

    fn check(&mut self, ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
        if !ev.stage.is_terminal()
            || ev.user.username.is_empty()
            || !self.verbs.iter().any(|v| *v == ev.verb)
        {
            return None;
        }
        let t = ev.time()?;
        if cx.allowed(ev) {
            return None;
        }
        let bucket = t.seconds().div_euclid(self.bucket_secs);
        let key = hash_parts(&[&ev.user.username, &ev.verb, ev.resource(), ev.subresource()]);
        if !self.map.contains_key(&key) && self.map.len() >= self.max_keys {
            let horizon = bucket - i64::try_from(self.baseline).unwrap_or(i64::MAX);
            self.map.retain(|_, s| s.bucket >= horizon);
            if self.map.len() >= self.max_keys {
                self.dropped += 1;
                return None;
            }
        }
        let st = self.map.entry(key).or_insert_with(|| RateState {
            bucket,
            count: 0,
            history: VecDeque::new(),
            fired: i64::MIN,
        });
        if bucket > st.bucket {
            let gap = usize::try_from(bucket - st.bucket).unwrap_or(usize::MAX);
            st.history.push_back(st.count);
            for _ in 1..gap.min(self.baseline + 1) {
                st.history.push_back(0);
            }
            while st.history.len() > self.baseline {
                st.history.pop_front();
            }
            st.bucket = bucket;
            st.count = 0;
        }
        st.count = st.count.saturating_add(1);
        if st.fired == st.bucket
            || st.history.len() < self.min_history
            || st.history.is_empty()
            || st.count < self.min_count
        {
            return None;
        }
        let sum: u64 = st.history.iter().map(|&c| u64::from(c)).sum();
        #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
        let mean = sum as f64 / st.history.len() as f64;
        if f64::from(st.count) <= self.factor * mean.max(1.0) {
            return None;
        }
        st.fired = st.bucket;
        let res = if ev.subresource().is_empty() {
            ev.resource().to_owned()
        } else {
            format!("{}/{}", ev.resource(), ev.subresource())
        };
        Some(
            Hit::new(format!(
                "`{}` made {} `{}` requests on `{res}` within {} s, baseline {mean:.1} per {} s",
                ev.user.username, st.count, ev.verb, self.bucket_secs, self.bucket_secs
            ))
            .with("count", st.count.to_string())
            .with("baselineMean", format!("{mean:.2}"))
            .with("bucketSeconds", self.bucket_secs.to_string())
            .with(
                "bucketStart",
                crate::event::Timestamp(st.bucket * self.bucket_secs * MICROS).to_string(),
            ),
        )
    }
}

pub(crate) const RATE_SPIKE: Spec = Spec {
    meta: &RATE_SPIKE_META,
    default_allow: &[],
    build: Build::Stateful(rate_spike),
    once_per_request: false,
    allow_authenticated_only: false,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum SeenKind {
    Identity,
    SourceIp,
    UserAgent,
}

struct FirstSeen {
    kind: SeenKind,
    rules: Vec<SensitiveRule>,
    learning: i64,
    start: Option<i64>,
    max_entries: usize,
    users: HashSet<u64, IdBuild>,
    pairs: HashSet<u64, IdBuild>,
    dropped: u64,
}

fn first_seen(config: &Config, kind: SeenKind) -> Box<dyn Detector> {
    let c = &config.first_seen;
    Box::new(FirstSeen {
        kind,
        // Validated by Config::validate; invalid entries cannot reach here.
        rules: c
            .sensitive
            .iter()
            .filter_map(|s| SensitiveRule::parse(s).ok())
            .collect(),
        learning: i64::from(c.learning_seconds) * MICROS,
        start: None,
        max_entries: c.max_entries.max(1),
        users: HashSet::default(),
        pairs: HashSet::default(),
        dropped: 0,
    })
}

/// `kubectl/v1.30.1 (linux/amd64) kubernetes/6911225` -> `kubectl`: versions change on every
/// upgrade, the client program does not.
pub(crate) fn user_agent_product(ua: &str) -> &str {
    let end = ua.find(['/', ' ']).unwrap_or(ua.len());
    ua.get(..end).unwrap_or(ua)
}

impl FirstSeen {
    /// Inserts `key` into `set` within the cap. `Some(true)` when new, `None` when full.
    fn learn(
        set: &mut HashSet<u64, IdBuild>,
        max: usize,
        key: u64,
        dropped: &mut u64,
    ) -> Option<bool> {
        if set.contains(&key) {
            return Some(false);
        }
        if set.len() >= max {
            *dropped += 1;
            return None;
        }
        set.insert(key);
        Some(true)
    }
}

impl Detector for FirstSeen {
    fn dropped(&self) -> u64 {
        self.dropped
    }

    fn check(&mut self, ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
        if !ev.stage.is_terminal() {
            return None;
        }
        let t = ev.time()?.0;
        let start = *self.start.get_or_insert(t);
        if ev.user.username.is_empty()
            || !ev.allowed()
            || !self.rules.iter().any(|r| r.matches(ev))
            || cx.allowed(ev)
        {
            return None;
        }
        let learning = t < start.saturating_add(self.learning);
        let user = ev.user.username.as_ref();
        let user_key = hash_parts(&[user]);
        let what = || match ev.subresource() {
            "" => format!("`{}` on `{}`", ev.verb, ev.resource()),
            sub => format!("`{}` on `{}/{sub}`", ev.verb, ev.resource()),
        };
        match self.kind {
            SeenKind::Identity => {
                let new = Self::learn(
                    &mut self.users,
                    self.max_entries,
                    user_key,
                    &mut self.dropped,
                )?;
                (new && !learning).then(|| {
                    Hit::new(format!(
                        "`{user}` made its first sensitive request ({})",
                        what()
                    ))
                })
            }
            SeenKind::SourceIp | SeenKind::UserAgent => {
                // All of `sourceIPs` but the last (the connection's address) come from
                // X-Forwarded-For / X-Real-Ip and can be set by the client: the whole chain is
                // the key, so a forged header cannot pass for a known address.
                let chain;
                let (label, value) = if self.kind == SeenKind::SourceIp {
                    chain = ev.source_ips.join(",");
                    ("sourceIPs", chain.as_str())
                } else {
                    ("userAgent", user_agent_product(&ev.user_agent))
                };
                if value.is_empty() {
                    return None;
                }
                let known_user = !Self::learn(
                    &mut self.users,
                    self.max_entries,
                    user_key,
                    &mut self.dropped,
                )?;
                let new_pair = Self::learn(
                    &mut self.pairs,
                    self.max_entries,
                    hash_parts(&[user, value]),
                    &mut self.dropped,
                )?;
                // A brand-new identity is `first-seen-identity`'s finding, not this one's.
                (known_user && new_pair && !learning).then(|| {
                    let noun = if self.kind == SeenKind::SourceIp {
                        "source IP"
                    } else {
                        "client"
                    };
                    Hit::new(format!(
                        "`{user}` made a sensitive request ({}) from new {noun} `{}`",
                        what(),
                        super::clip(value, 128)
                    ))
                    .with(label, super::clip(value, 128))
                })
            }
        }
    }
}

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static FIRST_SEEN_IDENTITY_META: DetectorMeta = DetectorMeta {
    code: "AUD022",
    name: "first-seen-identity",
    title: "Identity makes its first sensitive request",
    severity: Severity::Low,
    mitre_id: "T1078",
    mitre_name: "Valid Accounts",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
After a learning period (`firstSeen.learningSeconds`, default one hour from the first event),
reports an identity making a successful sensitive request (`firstSeen.sensitive`: secret
reads, exec/attach/port-forward, node proxy, token requests, RBAC and webhook writes, CSR
approval) for the first time.

## Why is this bad?
Attackers use freshly created or long-dormant accounts; a service account that never read a
secret and suddenly does is worth a look.

## Example event
After the learning period, a first such request from this user:
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-22","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/secrets/db-credentials","verb":"get","user":{"username":"system:serviceaccount:payments:reporting","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.244.7.2"],"userAgent":"python-requests/2.31.0","objectRef":{"resource":"secrets","namespace":"payments","name":"db-credentials","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T05:00:00.000000Z","stageTimestamp":"2024-05-01T05:00:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Confirm the identity is expected to do this; if not, revoke its credentials and bindings.

## False positives
New deployments and new team members. Memory is per engine run: a restart learns again.
"#,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static FIRST_SEEN_IP_META: DetectorMeta = DetectorMeta {
    code: "AUD023",
    name: "first-seen-source-ip",
    title: "Known identity makes a sensitive request from a new source IP",
    severity: Severity::Medium,
    mitre_id: "T1550.001",
    mitre_name: "Use Alternate Authentication Material: Application Access Token",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
After the learning period, reports a sensitive request by an already known identity from a
client address chain (`sourceIPs`, all of it) it never used for sensitive requests before.
The entries before the last come from `X-Forwarded-For`/`X-Real-Ip` and can be forged by the
client, so the whole chain is compared: a forged header never matches a known address.

## Why is this bad?
A service-account token used from outside its pod's address — a laptop, another pod — is
the signature of a stolen token.

## Example event
The same identity, previously seen from 10.244.7.2:
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-23","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/secrets/db-credentials","verb":"get","user":{"username":"system:serviceaccount:payments:reporting","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["198.51.100.77"],"userAgent":"python-requests/2.31.0","objectRef":{"resource":"secrets","namespace":"payments","name":"db-credentials","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T05:00:00.000000Z","stageTimestamp":"2024-05-01T05:00:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Check where the address belongs; rotate the credential if it is not the workload's own.

## False positives
Pods get new IPs when rescheduled and users roam between networks; raise the severity
threshold or allow the identity for pod-based service accounts.
"#,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static FIRST_SEEN_UA_META: DetectorMeta = DetectorMeta {
    code: "AUD024",
    name: "first-seen-user-agent",
    title: "Known identity makes a sensitive request with a new client program",
    severity: Severity::Low,
    mitre_id: "T1550.001",
    mitre_name: "Use Alternate Authentication Material: Application Access Token",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
After the learning period, reports a sensitive request by an already known identity with a
client program (the user agent's product token, `kubectl` of `kubectl/v1.30.1 (...)`) it
never used for sensitive requests before. Version changes do not count.

## Why is this bad?
A controller's token suddenly used by `curl` or `kubectl` means someone copied it out of the
pod.

## Example event
The same identity, previously seen with `python-requests`:
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-24","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/secrets/db-credentials","verb":"get","user":{"username":"system:serviceaccount:payments:reporting","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.244.7.2"],"userAgent":"curl/8.5.0","objectRef":{"resource":"secrets","namespace":"payments","name":"db-credentials","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T05:00:00.000000Z","stageTimestamp":"2024-05-01T05:00:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Find who ran the new client; rotate the credential if it was not an expected tool.

## False positives
Administrators switching tools (kubectl, k9s, Lens); allow human users and keep this for
service accounts.
"#,
};

fn first_seen_identity(c: &Config) -> Box<dyn Detector> {
    first_seen(c, SeenKind::Identity)
}
fn first_seen_ip(c: &Config) -> Box<dyn Detector> {
    first_seen(c, SeenKind::SourceIp)
}
fn first_seen_ua(c: &Config) -> Box<dyn Detector> {
    first_seen(c, SeenKind::UserAgent)
}

/// Control-plane components: their sensitive requests are routine.
const CONTROL_PLANE: &[&str] = &[
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:apiserver",
    "system:node:*",
    "system:serviceaccount:kube-system:*",
];

pub(crate) const FIRST_SEEN_IDENTITY: Spec = Spec {
    meta: &FIRST_SEEN_IDENTITY_META,
    default_allow: CONTROL_PLANE,
    build: Build::Stateful(first_seen_identity),
    once_per_request: true,
    allow_authenticated_only: false,
};

pub(crate) const FIRST_SEEN_SOURCE_IP: Spec = Spec {
    meta: &FIRST_SEEN_IP_META,
    default_allow: CONTROL_PLANE,
    build: Build::Stateful(first_seen_ip),
    once_per_request: true,
    allow_authenticated_only: false,
};

pub(crate) const FIRST_SEEN_USER_AGENT: Spec = Spec {
    meta: &FIRST_SEEN_UA_META,
    default_allow: CONTROL_PLANE,
    build: Build::Stateful(first_seen_ua),
    once_per_request: true,
    allow_authenticated_only: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_token() {
        assert_eq!(
            user_agent_product("kubectl/v1.30.1 (linux/amd64) kubernetes/6911225"),
            "kubectl"
        );
        assert_eq!(user_agent_product("curl"), "curl");
        assert_eq!(user_agent_product("Mozilla 5"), "Mozilla");
    }
}
