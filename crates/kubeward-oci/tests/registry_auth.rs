//! Bearer token auth against a real `docker-registry` configured with `auth: token`: the test
//! runs the token server (JWTs signed ES256 with an rcgen certificate, sent as `x5c`), the
//! registry verifies them. Credentials come from a Docker `config.json`; skopeo confirms the
//! registry really requires them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use kubeward_oci::oci_layout::Image;
use kubeward_oci::test_support::{TestRegistry, external_tool_required};
use kubeward_oci::{ClientOptions, Credentials, OciError, RegistryClient};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use support::fake_http::{response, serve};
use support::real_registry::{assert_reads_back, skopeo_inspect_digest};

const SERVICE: &str = "kubeward-test-registry";
const ISSUER: &str = "kubeward-test-issuer";
const USER: &str = "alice";
const PASSWORD: &str = "correct-horse";

struct Signer {
    key: EcdsaKeyPair,
    cert_der_b64: String,
}

impl Signer {
    fn token(&self, subject: &str, scopes: &[String]) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let access: Vec<serde_json::Value> = scopes
            .iter()
            .filter_map(|s| {
                // repository:<name>:<actions>
                let rest = s.strip_prefix("repository:")?;
                let (name, actions) = rest.rsplit_once(':')?;
                Some(serde_json::json!({
                    "type": "repository",
                    "name": name,
                    "actions": actions.split(',').collect::<Vec<_>>(),
                }))
            })
            .collect();
        let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [self.cert_der_b64]});
        let claims = serde_json::json!({
            "iss": ISSUER, "sub": subject, "aud": SERVICE,
            "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", scopes.len()),
            "access": access,
        });
        let input = format!(
            "{}.{}",
            b64.encode(serde_json::to_vec(&header).unwrap()),
            b64.encode(serde_json::to_vec(&claims).unwrap())
        );
        let sig = self
            .key
            .sign(&ring::rand::SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", b64.encode(sig.as_ref()))
    }
}

#[derive(Debug, Default)]
struct TokenLog {
    requests: usize,
    refused: usize,
    scopes: Vec<String>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A token endpoint: Basic alice:correct-horse gets a token for the requested scopes;
/// anything else gets 401.
async fn token_server(signer: Arc<Signer>) -> (SocketAddr, Arc<Mutex<TokenLog>>) {
    let log: Arc<Mutex<TokenLog>> = Arc::default();
    let log2 = log.clone();
    let expected = format!(
        "basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    )
    .to_lowercase();
    let (addr, _) = serve(move |req| {
        let query = req.path.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let mut service = String::new();
        let mut scopes = Vec::new();
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "service" => service = percent_decode(v),
                "scope" => scopes.push(percent_decode(v)),
                _ => {}
            }
        }
        let authed = req
            .header("authorization")
            .is_some_and(|v| v.to_lowercase() == expected);
        let mut l = log2.lock().unwrap();
        l.requests += 1;
        l.scopes.extend(scopes.iter().cloned());
        if authed && service == SERVICE {
            let body = serde_json::json!({
                "token": signer.token(USER, &scopes),
                "expires_in": 300,
            })
            .to_string();
            response(
                "200 OK",
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
        } else {
            l.refused += 1;
            response("401 Unauthorized", &[], b"")
        }
    })
    .await;
    (addr, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_auth_against_real_registry() {
    if !external_tool_required("docker-registry") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();

    // Token signing key and certificate (the registry's rootcertbundle).
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let bundle = tmp.path().join("token-ca.pem");
    std::fs::write(&bundle, cert.pem()).unwrap();
    let signer = Arc::new(Signer {
        key: EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &ring::rand::SystemRandom::new(),
        )
        .unwrap(),
        cert_der_b64: base64::engine::general_purpose::STANDARD.encode(cert.der()),
    });
    let (token_addr, token_log) = token_server(signer).await;
    let extra = format!(
        "auth:\n  token:\n    realm: http://{token_addr}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
        bundle.display()
    );
    let reg = TestRegistry::start_with_config(false, &extra).unwrap();
    let r = reg.reference("demo/app:v1").unwrap();

    // Anonymous: the token server refuses, the client reports Unauthorized.
    let anon = RegistryClient::new(reg.client_options()).unwrap();
    let err = anon.resolve(&r).await.unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
    assert!(!err.is_registry_unavailable());
    assert_eq!(token_log.lock().unwrap().refused, 1);

    // Credentials from a Docker config.json (keyed by host:port).
    let config = tmp.path().join("config.json");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    std::fs::write(
        &config,
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}},"https://index.docker.io/v1/":{{"auth":"eDp5"}}}}}}"#, reg.addr()),
    )
    .unwrap();
    let options = ClientOptions {
        credentials: Credentials::DockerConfig(config.clone()),
        ..reg.client_options()
    };
    let client = RegistryClient::new(options).unwrap();
    let image = Image::hello("behind auth");
    let d = image.push(&client, &r).await.unwrap();
    assert_reads_back(&client, &r, &image, &d).await;
    {
        let l = token_log.lock().unwrap();
        // The registry's challenge asks for push and pull on uploads (in either order: Go map
        // iteration); the client passes the challenge's scope through.
        assert!(
            l.scopes
                .iter()
                .any(|s| s == "repository:demo/app:push,pull"
                    || s == "repository:demo/app:pull,push"),
            "{l:?}"
        );
        assert!(
            l.scopes.iter().any(|s| s == "repository:demo/app:pull"),
            "{l:?}"
        );
    }
    // Tokens are cached per (registry, scope): more reads cost no token request.
    let before = token_log.lock().unwrap().requests;
    for _ in 0..3 {
        client.resolve(&r).await.unwrap();
    }
    assert_eq!(token_log.lock().unwrap().requests, before);

    // Wrong password: Unauthorized, and the password is in no error text.
    let options = ClientOptions {
        credentials: Credentials::Basic {
            username: USER.into(),
            password: "wrong-secret".into(),
        },
        ..reg.client_options()
    };
    let bad = RegistryClient::new(options).unwrap();
    let err = bad.fetch_manifest(&r).await.unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));

    // An HTTPS registry whose token realm is plain HTTP: the password is not sent in clear
    // text, so the token request is anonymous and refused.
    let tls_reg = TestRegistry::start_with_config(true, &extra).unwrap();
    let options = ClientOptions {
        credentials: Credentials::Basic {
            username: USER.into(),
            password: PASSWORD.into(),
        },
        ..tls_reg.client_options()
    };
    let tls_client = RegistryClient::new(options).unwrap();
    let refused_before = token_log.lock().unwrap().refused;
    let err = tls_client
        .resolve(&tls_reg.reference("demo/app:v1").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
    assert_eq!(token_log.lock().unwrap().refused, refused_before + 1);
    drop(tls_reg);

    // skopeo (independent client) sees the same digest with the credentials, and is refused
    // without them: the registry really enforces the tokens.
    if external_tool_required("skopeo") {
        let image_ref = format!("docker://{}/demo/app:v1", reg.addr());
        let digest = skopeo_inspect_digest(&[
            "--tls-verify=false",
            "--no-tags",
            "--creds",
            &format!("{USER}:{PASSWORD}"),
            &image_ref,
        ]);
        assert_eq!(digest, d.to_string());
        let out = Command::new("skopeo")
            .args([
                "inspect",
                "--tls-verify=false",
                "--no-tags",
                "--no-creds",
                &image_ref,
            ])
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
}
