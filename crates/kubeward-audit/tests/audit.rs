//! Integration tests of kubeward-audit's public API, driven by the JSON-lines fixtures under
//! `tests/fixtures/` (written by `tests/fixtures/generate.py`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use kubeward_audit::input::{LineErrorKind, PollReport};
use kubeward_audit::{
    BoundedQueue, Config, Document, Engine, Finding, Follower, PushError, StartAt, parse_document,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_config(dir: &Path) -> (Config, usize) {
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("fixture.json")).unwrap()).unwrap();
    let config = match meta.get("config") {
        Some(c) => serde_json::from_value(c.clone()).unwrap(),
        None => Config::default(),
    };
    let fire = usize::try_from(meta["fire"].as_u64().unwrap_or(1)).unwrap();
    (config, fire)
}

fn scan_file(config: Config, path: &Path) -> Vec<Finding> {
    let mut engine = Engine::new(config).unwrap();
    let report = engine
        .scan(fs::File::open(path).unwrap(), &path.display().to_string())
        .unwrap();
    assert!(report.errors.is_empty(), "{path:?}: {:?}", report.errors);
    report.findings
}

fn of<'a>(findings: &'a [Finding], name: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.name == name).collect()
}

fn fire(name: &str) -> Vec<Finding> {
    let dir = fixtures().join(name);
    let (config, _) = fixture_config(&dir);
    scan_file(config, &dir.join("fire.jsonl"))
        .into_iter()
        .filter(|f| f.name == name)
        .collect()
}

#[test]
fn every_detector_fires_on_its_positive_fixture_and_not_on_its_negative_one() {
    let mut checked = 0;
    for meta in Engine::catalogue() {
        let dir = fixtures().join(meta.name);
        assert!(dir.is_dir(), "missing fixtures for {}", meta.name);
        let (config, expected) = fixture_config(&dir);
        let fired = scan_file(config.clone(), &dir.join("fire.jsonl"));
        let hits = of(&fired, meta.name);
        assert_eq!(
            hits.len(),
            expected,
            "{} on fire.jsonl: {:#?}",
            meta.name,
            hits
        );
        for h in &hits {
            assert_eq!(h.code, meta.code);
            assert_eq!(h.severity, meta.severity);
            assert_eq!(h.mitre, meta.mitre_id);
            assert!(!h.evidence.audit_id.is_empty());
            assert!(h.evidence.timestamp.is_some());
            assert!(!h.evidence.user.is_empty());
        }
        let quiet = scan_file(config, &dir.join("quiet.jsonl"));
        assert!(
            of(&quiet, meta.name).is_empty(),
            "{} on quiet.jsonl: {:#?}",
            meta.name,
            of(&quiet, meta.name)
        );
        checked += 1;
    }
    assert_eq!(checked, 24);
}

#[test]
fn stateless_doc_examples_fire() {
    let stateful = [
        "forbidden-burst",
        "rate-spike",
        "first-seen-identity",
        "first-seen-source-ip",
        "first-seen-user-agent",
    ];
    for meta in Engine::catalogue() {
        let example = meta
            .doc
            .split("```json\n")
            .nth(1)
            .and_then(|s| s.split("\n```").next())
            .unwrap_or_else(|| panic!("{} has no json example", meta.name));
        let doc = parse_document(example).unwrap_or_else(|e| panic!("{}: {e}", meta.name));
        if stateful.contains(&meta.name) {
            continue;
        }
        let mut engine = Engine::new(Config::default()).unwrap();
        let mut out = Vec::new();
        engine.process_document(&doc, &mut out);
        assert_eq!(
            of(&out, meta.name).len(),
            1,
            "{}'s doc example: {out:#?}",
            meta.name
        );
    }
}

#[test]
fn evidence_and_details_are_specific() {
    let exec = fire("exec-into-pod");
    let f = &exec[0];
    assert_eq!(f.details["command"], "sh -c id");
    assert_eq!(f.details["container"], "api");
    assert_eq!(f.evidence.stage, "ResponseStarted");
    assert_eq!(f.evidence.response_code, Some(101));
    let obj = f.evidence.object_ref.as_ref().unwrap();
    assert_eq!(
        (
            obj.resource.as_str(),
            obj.subresource.as_str(),
            obj.name.as_str()
        ),
        ("pods", "exec", "api-7d9f")
    );
    assert_eq!(f.evidence.decision.as_deref(), Some("allow"));
    assert_eq!(
        f.to_string(),
        "AUD003 exec-into-pod [medium] 2024-05-01T03:00:00.000000Z dev-alice: \
         `dev-alice` executed a command in pod `payments/api-7d9f` (auditID 00000000-a98a-f280-0000-000000000001)"
    );

    let privileged = fire("privileged-pod-created");
    assert_eq!(
        privileged[0].details["path"],
        "spec.containers[0].securityContext.privileged"
    );
    assert_eq!(
        privileged[1].details["path"],
        "spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged"
    );
    assert_eq!(
        privileged[2].details["containers"],
        "spec.ephemeralContainers[0].securityContext.privileged (debugger-x2x)"
    );
    let host = fire("hostpath-pod-created");
    assert_eq!(
        host[0].details["path"],
        "spec.template.spec.volumes[1].hostPath"
    );
    assert_eq!(host[0].details["hostPaths"], "/");
    let binding = fire("cluster-admin-binding-created");
    assert_eq!(
        binding[0].details["subjects"],
        "ServiceAccount:default/default"
    );
    assert_eq!(binding[1].details["subjects"], "User:dev-alice");
    let wildcard = fire("rbac-wildcard-role-created");
    assert_eq!(wildcard[0].details["path"], "rules[1].verbs");
    let burst = fire("forbidden-burst");
    assert_eq!(burst[0].details["count"], "20");
    assert!(burst[0].details["tried"].contains("list secrets"));
    let spike = fire("rate-spike");
    assert_eq!(spike[0].details["count"], "10");
    assert_eq!(
        spike[0].details["bucketStart"],
        "2024-05-01T03:08:00.000000Z"
    );
    let api = fire("crd-or-apiservice-registered");
    assert_eq!(api[0].details["service"], "default/collector");
    assert_eq!(api[0].details["insecureSkipTLSVerify"], "true");
    let token = fire("serviceaccount-token-created");
    assert_eq!(token[0].details["expirationSeconds"], "31536000");
    let imp = fire("impersonation");
    assert!(imp[0].message.contains("system:masters"));
    let ip = fire("first-seen-source-ip");
    assert_eq!(ip[0].details["sourceIPs"], "198.51.100.77");
    let ua = fire("first-seen-user-agent");
    assert_eq!(ua[0].details["userAgent"], "curl");
}

#[test]
fn one_finding_per_request_across_stages() {
    let path = fixtures().join("exec-into-pod/fire.jsonl");
    let mut engine = Engine::new(Config::default()).unwrap();
    let report = engine.scan(fs::File::open(&path).unwrap(), "x").unwrap();
    assert_eq!(report.events, 3);
    assert_eq!(report.findings.len(), 1);
    let s = engine.stats();
    assert_eq!((s.events, s.examined, s.duplicates), (3, 2, 1));
    assert_eq!(s.by_detector["exec-into-pod"], 1);

    // A client-chosen Audit-ID reused on a later request does not hide it.
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("03:00:00.000000Z", "03:05:00.000000Z");
    let reused = engine.scan(text.as_bytes(), "x").unwrap();
    assert_eq!(reused.findings.len(), 1);

    // A second request with a new auditID fires again.
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("a98a-f280-0000-000000000001", "a98a-f280-0000-0000000000aa");
    let again = engine.scan(text.as_bytes(), "x").unwrap();
    assert_eq!(again.findings.len(), 1);
}

#[test]
fn events_without_the_needed_body_are_counted() {
    let path = fixtures().join("cluster-admin-binding-created/quiet.jsonl");
    let mut engine = Engine::new(Config::default()).unwrap();
    engine.scan(fs::File::open(&path).unwrap(), "x").unwrap();
    // The Metadata-level create and the Request-level patch could not be judged.
    assert_eq!(
        engine
            .stats()
            .missing_body
            .get("cluster-admin-binding-created"),
        Some(&2)
    );
}

#[test]
fn webhook_event_list_batches() {
    let lines = fs::read_to_string(fixtures().join("exec-into-pod/fire.jsonl")).unwrap();
    let items: Vec<&str> = lines.lines().collect();
    let body = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{}]}}"#,
        items.join(",")
    );
    let doc = parse_document(&body).unwrap();
    assert!(matches!(doc, Document::List(ref v) if v.len() == 3));
    let mut engine = Engine::new(Config::default()).unwrap();
    let mut out = Vec::new();
    assert_eq!(engine.process_document(&doc, &mut out), 1);
    assert_eq!(out[0].name, "exec-into-pod");
}

#[test]
fn malformed_lines_are_located_and_skipped() {
    let path = fixtures().join("malformed.jsonl");
    let mut engine = Engine::new(Config::default()).unwrap();
    let report = engine
        .scan(fs::File::open(&path).unwrap(), "malformed.jsonl")
        .unwrap();
    assert_eq!(report.events, 2);
    assert_eq!(of(&report.findings, "pod-created-in-kube-system").len(), 2);
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 4, 5, 6, 7]);
    let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(
        messages[0].starts_with("malformed.jsonl:2: invalid JSON"),
        "{messages:?}"
    );
    assert!(messages[1].contains("unsupported apiVersion `audit.k8s.io/v1beta1`"));
    assert!(messages[2].contains("invalid RFC 3339 timestamp `yesterday`"));
    assert!(matches!(report.errors[3].kind, LineErrorKind::Parse(_)));
    assert_eq!(report.error_count, 5);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_input_is_detected() {
    let plain = fs::read(fixtures().join("forbidden-burst/fire.jsonl")).unwrap();
    let mut engine = Engine::new(Config::default()).unwrap();
    let report = engine
        .scan(gzip(&plain).as_slice(), "audit.log.gz")
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.events, 40);
    assert_eq!(of(&report.findings, "forbidden-burst").len(), 1);

    // Multi-member gzip (rotated files concatenated): both members are read.
    let a = fs::read(fixtures().join("exec-into-pod/fire.jsonl")).unwrap();
    let b = fs::read(fixtures().join("attach-to-pod/fire.jsonl")).unwrap();
    let mut both = gzip(&a);
    both.extend(gzip(&b));
    let mut engine = Engine::new(Config::default()).unwrap();
    let report = engine.scan(both.as_slice(), "x.gz").unwrap();
    assert_eq!(report.events, 5);
    assert_eq!(report.findings.len(), 2);

    // A corrupt gzip stream is one located read error, then the end.
    let mut broken = gzip(&plain);
    let n = broken.len();
    broken.truncate(n / 2);
    let report = Engine::new(Config::default())
        .unwrap()
        .scan(broken.as_slice(), "broken.gz")
        .unwrap();
    assert_eq!(report.error_count, 1);
    assert!(matches!(report.errors[0].kind, LineErrorKind::Io(_)));
}

fn texts(lines: &[kubeward_audit::input::FollowedLine]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn follower_survives_rename_rotation_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let append = |p: &Path, s: &str| {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .unwrap();
        f.write_all(s.as_bytes()).unwrap();
    };
    append(&path, "{\"auditID\":\"1\"}\n{\"auditID\":\"2\"}\n");
    let mut follower = Follower::open(&path, StartAt::Beginning).unwrap();
    let (lines, report) = follower.poll().unwrap();
    assert_eq!(
        texts(&lines),
        ["{\"auditID\":\"1\"}", "{\"auditID\":\"2\"}"]
    );
    assert_eq!(report, PollReport::default());
    assert_eq!(lines[1].line, 2);
    assert!(lines[0].parse().is_ok());

    // A partial line is held until its newline arrives.
    append(&path, "{\"auditID\":\"3\"}\n{\"audit");
    let (lines, _) = follower.poll().unwrap();
    assert_eq!(texts(&lines), ["{\"auditID\":\"3\"}"]);
    let (lines, _) = follower.poll().unwrap();
    assert!(lines.is_empty());

    // Rotation like the API server's: rename, (late write to the old file), new file.
    append(&path, "ID\":\"4\"}\n");
    let rotated = dir.path().join("audit-2024-05-01T03-00-00.000.log");
    fs::rename(&path, &rotated).unwrap();
    let (lines, report) = follower.poll().unwrap();
    assert_eq!(texts(&lines), ["{\"auditID\":\"4\"}"]);
    assert!(!report.rotated, "no new file yet");
    append(&rotated, "{\"auditID\":\"5\"}\n");
    append(&path, "{\"auditID\":\"6\"}\n{\"auditID\":\"7\"}\n");
    let (lines, report) = follower.poll().unwrap();
    assert!(report.rotated);
    assert_eq!(
        texts(&lines),
        [
            "{\"auditID\":\"5\"}",
            "{\"auditID\":\"6\"}",
            "{\"auditID\":\"7\"}"
        ]
    );
    assert_eq!((lines[0].generation, lines[1].generation), (0, 1));
    assert_eq!((lines[1].line, lines[2].line), (1, 2));

    // copytruncate: the file shrinks below the read position.
    fs::write(&path, "{\"auditID\":\"8\"}\n").unwrap();
    let (lines, report) = follower.poll().unwrap();
    assert!(report.truncated);
    assert_eq!(texts(&lines), ["{\"auditID\":\"8\"}"]);

    // StartAt::End skips existing content; line numbers stay those of the file, and a line
    // being written when the follower starts is reported whole.
    append(&path, "{\"auditID\":");
    let mut tail = Follower::open(&path, StartAt::End).unwrap();
    append(&path, "\"8b\"}\n{\"auditID\":\"9\"}\n");
    let (lines, _) = tail.poll().unwrap();
    assert_eq!(
        texts(&lines),
        ["{\"auditID\":\"8b\"}", "{\"auditID\":\"9\"}"]
    );
    assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [2, 3]);
}

#[test]
fn follower_drops_over_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    fs::write(
        &path,
        format!("{}\n{{}}\n{}", "x".repeat(100), "y".repeat(100)),
    )
    .unwrap();
    let mut f = Follower::open(&path, StartAt::Beginning)
        .unwrap()
        .with_max_line_bytes(10);
    let (lines, report) = f.poll().unwrap();
    assert_eq!(texts(&lines), ["{}"]);
    assert_eq!(report.dropped_long_lines, 1);
    fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"\n{}\n")
        .unwrap();
    let (lines, report) = f.poll().unwrap();
    assert_eq!(texts(&lines), ["{}"]);
    assert_eq!(report.dropped_long_lines, 1);
}

#[test]
fn queue_full_is_reported_never_dropped() {
    let q = BoundedQueue::new(2);
    q.try_push(b"batch-1".to_vec()).unwrap();
    q.try_push(b"batch-2".to_vec()).unwrap();
    let err = q.try_push(b"batch-3".to_vec()).unwrap_err();
    assert_eq!(err.http_status(), 429);
    assert_eq!(err.to_string(), "audit queue is full");
    match err {
        PushError::Full(item) => assert_eq!(item, b"batch-3"),
        PushError::Closed(_) => panic!("not closed"),
    }
    let s = q.stats();
    assert_eq!(
        (s.received, s.processed, s.rejected, s.queued),
        (2, 0, 1, 2)
    );
    assert_eq!(q.try_pop().unwrap(), b"batch-1");
    q.try_push(b"batch-3".to_vec()).unwrap();
    let s = q.stats();
    assert_eq!(
        (s.received, s.processed, s.rejected, s.queued),
        (3, 1, 1, 2)
    );
    assert_eq!(
        q.pop_timeout(std::time::Duration::from_millis(1)).unwrap(),
        b"batch-2"
    );
}

const CANARIES: &[&str] = &[
    "S3CR3T-CANARY-VALUE-42",
    "UzNDUjNULUNBTkFSWS1WQUxVRS00Mg", // base64 of the canary (prefix)
    "CANARY-TOKEN-DO-NOT-PRINT",
];

#[test]
fn secret_values_never_reach_findings() {
    let mut config = Config::default();
    config.first_seen.learning_seconds = 0;
    let mut all = scan_file(config.clone(), &fixtures().join("canary.jsonl"));
    assert!(!of(&all, "secret-read-by-unusual-identity").is_empty());
    assert!(!of(&all, "secret-list-cluster-wide").is_empty());
    all.extend(scan_file(
        config,
        &fixtures().join("serviceaccount-token-created/fire.jsonl"),
    ));
    assert!(!of(&all, "serviceaccount-token-created").is_empty());
    // Make sure the canaries are really in the input.
    let input = fs::read_to_string(fixtures().join("canary.jsonl")).unwrap();
    assert!(CANARIES[..2].iter().all(|c| input.contains(c)));
    // Debug output of the parsed events redacts the bodies too.
    for line in input.lines() {
        let dbg = format!("{:?}", parse_document(line).unwrap());
        assert_eq!(
            dbg.contains("redacted"),
            line.contains("Object\":"),
            "{dbg}"
        );
        for c in CANARIES {
            assert!(!dbg.contains(c), "canary {c} leaked through Debug: {dbg}");
        }
    }
    for f in &all {
        let outputs = [
            f.to_string(),
            format!("{f:?}"),
            serde_json::to_string(f).unwrap(),
        ];
        for out in outputs {
            for c in CANARIES {
                assert!(!out.contains(c), "canary {c} leaked: {out}");
            }
        }
    }
}

#[test]
fn configuration_errors_and_allow_lists() {
    let mut c = Config::default();
    c.disabled.push("no-such-detector".into());
    assert!(Engine::new(c).is_err());
    let mut c = Config::default();
    c.forbidden_burst.threshold = 0;
    assert!(Engine::new(c).is_err());

    // Disable a group by prefix.
    let mut c = Config::default();
    c.disabled.push("AUD02".into());
    let engine = Engine::new(c).unwrap();
    assert_eq!(engine.enabled().count(), 24 - 5);

    // An extra allow-list entry silences the detector; replaceDefaults drops the built-ins.
    let c: Config = serde_json::from_str(
        r#"{"allow":{"exec-into-pod":{"users":["dev-*"]},
            "AUD001":{"replaceDefaults":true,"users":["nobody"]}}}"#,
    )
    .unwrap();
    let findings = scan_file(c.clone(), &fixtures().join("exec-into-pod/fire.jsonl"));
    assert!(findings.is_empty());
    let quiet = scan_file(
        c,
        &fixtures().join("secret-read-by-unusual-identity/quiet.jsonl"),
    );
    // The controller manager and the kubelet are no longer allowed.
    assert_eq!(of(&quiet, "secret-read-by-unusual-identity").len(), 2);
    assert_eq!(
        Engine::explain("AUD003").map(|m| m.name),
        Some("exec-into-pod")
    );
}

/// One golden snapshot per detector: the findings of its positive fixture as JSON.
#[test]
fn findings_snapshots() {
    for meta in Engine::catalogue() {
        let findings = fire(meta.name);
        let json = serde_json::to_string_pretty(&findings).unwrap();
        insta::assert_snapshot!(format!("{}-{}", meta.code, meta.name), json);
    }
}

fn secret_get_as(user: &str, impersonated: Option<&str>, id: &str) -> String {
    let imp = impersonated.map_or(String::new(), |u| {
        format!(r#""impersonatedUser":{{"username":"{u}","groups":["system:authenticated"]}},"#)
    });
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/secrets/db","verb":"get","user":{{"username":"{user}","groups":["system:authenticated"]}},{imp}"sourceIPs":["10.0.0.1"],"userAgent":"x","objectRef":{{"resource":"secrets","namespace":"payments","name":"db","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z","stageTimestamp":"2024-05-01T03:00:00.001000Z","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
    )
}

#[test]
fn allow_lists_under_impersonation() {
    let config: Config = serde_json::from_str(
        r#"{"allow":{"impersonation":{"users":["system:serviceaccount:cattle-system:proxy"]},
            "secret-read-by-unusual-identity":{"users":["system:serviceaccount:cattle-system:proxy"]}}}"#,
    )
    .unwrap();
    let names = |text: String| {
        let mut engine = Engine::new(config.clone()).unwrap();
        let report = engine.scan(text.as_bytes(), "t").unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        report.findings.iter().map(|f| f.name).collect::<Vec<_>>()
    };
    let proxy = "system:serviceaccount:cattle-system:proxy";
    // The proxy itself is allowed.
    assert!(names(secret_get_as(proxy, None, "a")).is_empty());
    // Its end user is not: the read is reported, the impersonation is not.
    assert_eq!(
        names(secret_get_as(proxy, Some("bob"), "b")),
        ["secret-read-by-unusual-identity"]
    );
    // A user impersonating an allowed identity is reported twice.
    assert_eq!(
        names(secret_get_as(
            "alice",
            Some("system:kube-controller-manager"),
            "c"
        )),
        ["secret-read-by-unusual-identity", "impersonation"]
    );
}

#[test]
fn detector_state_stays_within_its_caps() {
    let config: Config = serde_json::from_str(
        r#"{"forbiddenBurst":{"maxIdentities":2,"threshold":3},
            "rateSpike":{"maxKeys":2},
            "firstSeen":{"maxEntries":2,"learningSeconds":0},
            "dedupCapacity":4}"#,
    )
    .unwrap();
    let mut engine = Engine::new(config).unwrap();
    let mut text = String::new();
    for i in 0..10 {
        // A 403 and a pod creation by ten identities within a few seconds.
        for (verb, res, code) in [("list", "secrets", 403), ("create", "pods", 201)] {
            text.push_str(&format!(
                r#"{{"auditID":"{res}-{i}","stage":"ResponseComplete","verb":"{verb}","user":{{"username":"u{i}"}},"sourceIPs":["10.0.0.{i}"],"userAgent":"curl/8","objectRef":{{"resource":"{res}","namespace":"n"}},"responseStatus":{{"code":{code}}},"requestReceivedTimestamp":"2024-05-01T03:00:0{i}Z"}}"#
            ));
            text.push('\n');
        }
        // A secret read each (sensitive, for first-seen).
        text.push_str(&secret_get_as(&format!("u{i}"), None, &format!("s-{i}")));
        text.push('\n');
    }
    let report = engine.scan(text.as_bytes(), "t").unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // forbidden-burst: 8 identities not tracked; rate-spike: 8 keys; first-seen: identity 8,
    // source IP and user agent 8 users each (their pair sets fill up too).
    assert!(
        engine.state_dropped() >= 8 * 5,
        "{}",
        engine.state_dropped()
    );
    // Only the two tracked identities could have been first-seen.
    assert!(of(&report.findings, "first-seen-identity").len() <= 2);
}
