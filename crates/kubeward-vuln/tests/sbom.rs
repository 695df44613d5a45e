//! SBOM parsing: CycloneDX 1.4–1.6 and SPDX 2.3 JSON in syft and trivy styles,
//! and the errors for everything else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use kubeward_vuln::{Package, SbomError, SbomFormat, load_sbom, load_sbom_with_limit, parse_sbom};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sbom")
        .join(name)
}

fn find<'a>(pkgs: &'a [Package], name: &str) -> &'a Package {
    pkgs.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

#[test]
fn syft_cyclonedx_1_6_debian() {
    let sbom = load_sbom(&fixture("syft-debian-cdx-1.6.json")).unwrap();
    assert_eq!(
        sbom.format,
        SbomFormat::CycloneDx {
            spec_version: "1.6".into()
        }
    );
    assert_eq!(
        sbom.subject.as_deref(),
        Some("registry.example/app@sha256:4d2c7f0e")
    );
    // operating-system and file components are not packages.
    assert_eq!(sbom.packages.len(), 15);
    let ssl = find(&sbom.packages, "libssl3");
    assert_eq!(ssl.version, "3.0.11-1~deb12u1");
    assert_eq!(ssl.ecosystem.as_deref(), Some("Debian"));
    assert_eq!(ssl.distro.as_deref(), Some("Debian:12"));
    assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
    assert_eq!(ssl.source_version, None);
    let gcc = find(&sbom.packages, "libgcc-s1");
    assert_eq!(gcc.source_name.as_deref(), Some("gcc-12"));
    assert_eq!(gcc.source_version.as_deref(), Some("12.2.0-14"));
    let bash = find(&sbom.packages, "bash");
    assert_eq!(bash.source_name, None);
    let babel = find(&sbom.packages, "@babel/traverse");
    assert_eq!(babel.ecosystem.as_deref(), Some("npm"));
    assert_eq!(babel.distro, None);
    let jinja = find(&sbom.packages, "jinja2");
    assert_eq!(jinja.ecosystem.as_deref(), Some("PyPI"));
    let net = find(&sbom.packages, "golang.org/x/net");
    assert_eq!(
        (net.ecosystem.as_deref(), net.version.as_str()),
        (Some("Go"), "v0.15.0")
    );
    let nopurl = find(&sbom.packages, "vendored-thing");
    assert_eq!(
        (nopurl.purl.as_deref(), nopurl.ecosystem.as_deref()),
        (None, None)
    );
    let nuget = find(&sbom.packages, "Some.Package");
    assert_eq!(nuget.ecosystem.as_deref(), Some("NuGet"));
}

#[test]
fn trivy_cyclonedx_1_5_alpine() {
    let sbom = load_sbom(&fixture("trivy-alpine-cdx-1.5.json")).unwrap();
    assert_eq!(
        sbom.format,
        SbomFormat::CycloneDx {
            spec_version: "1.5".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("alpine:3.18.4"));
    assert_eq!(sbom.packages.len(), 4);
    let ssl_client = find(&sbom.packages, "ssl_client");
    assert_eq!(ssl_client.distro.as_deref(), Some("Alpine:v3.18"));
    assert_eq!(ssl_client.source_name.as_deref(), Some("busybox"));
    assert_eq!(ssl_client.source_version.as_deref(), Some("1.36.1-r2"));
    let crypto = find(&sbom.packages, "libcrypto3");
    assert_eq!(crypto.source_name.as_deref(), Some("openssl"));
}

#[test]
fn nested_cyclonedx_1_4() {
    let sbom = parse_sbom(&std::fs::read(fixture("nested-cdx-1.4.json")).unwrap()).unwrap();
    assert_eq!(
        sbom.format,
        SbomFormat::CycloneDx {
            spec_version: "1.4".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("shop-service@1.2.3"));
    let names: Vec<(&str, &str)> = sbom
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("app.jar", "1.2.3"),
            ("org.apache.logging.log4j:log4j-core", "2.14.1"),
            ("org.apache.logging.log4j:log4j-api", "2.14.1"),
            ("smallvec", "1.6.0"),
            ("smallvec", "1.6.1"),
        ]
    );
    assert_eq!(sbom.packages[1].ecosystem.as_deref(), Some("Maven"));
    assert_eq!(sbom.packages[3].ecosystem.as_deref(), Some("crates.io"));
}

#[test]
fn syft_spdx_2_3() {
    let sbom = load_sbom(&fixture("syft-debian-spdx-2.3.json")).unwrap();
    assert_eq!(
        sbom.format,
        SbomFormat::Spdx {
            version: "2.3".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("registry.example/app"));
    // The described image itself is the subject, not a package.
    assert_eq!(sbom.packages.len(), 3);
    let ssl = find(&sbom.packages, "libssl3");
    assert_eq!(
        ssl.purl.as_deref(),
        Some(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"
        )
    );
    assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
    assert_eq!(ssl.distro.as_deref(), Some("Debian:12"));
    assert_eq!(find(&sbom.packages, "no-purl-here").purl, None);
}

#[test]
fn trivy_spdx_2_3() {
    let sbom = load_sbom(&fixture("trivy-alpine-spdx-2.3.json")).unwrap();
    assert_eq!(sbom.subject.as_deref(), Some("alpine:3.18.4"));
    assert_eq!(sbom.packages.len(), 2);
    let ssl_client = find(&sbom.packages, "ssl_client");
    assert_eq!(ssl_client.source_name.as_deref(), Some("busybox"));
    assert_eq!(ssl_client.source_version.as_deref(), Some("1.36.1-r2"));
    assert_eq!(ssl_client.distro.as_deref(), Some("Alpine:v3.18"));
}

#[test]
fn rejected_inputs() {
    let err = load_sbom(&fixture("cdx-1.2.json")).unwrap_err();
    assert!(err.to_string().contains("cdx-1.2.json"), "{err}");
    assert!(
        err.to_string()
            .contains("unsupported CycloneDX version `1.2`"),
        "{err}"
    );

    let err = load_sbom(&fixture("spdx-2.2.spdx")).unwrap_err();
    assert!(err.to_string().contains("tag-value"), "{err}");

    let err = load_sbom(&fixture("bom.xml")).unwrap_err();
    assert!(err.to_string().contains("XML"), "{err}");

    let err = load_sbom(&fixture("random.json")).unwrap_err();
    assert!(err.to_string().contains("not an SBOM"), "{err}");

    let err = load_sbom(&fixture("syntax-error.json")).unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(6), Some(3)), "{err}");
    assert!(
        err.to_string()
            .contains("syntax-error.json: invalid JSON at line 6, column 3"),
        "{err}"
    );

    let err = load_sbom(&fixture("wrong-type-cdx.json")).unwrap_err();
    assert_eq!(err.line(), Some(5), "{err}");
    assert!(
        err.to_string().contains("invalid CycloneDX document"),
        "{err}"
    );

    let err = load_sbom_with_limit(&fixture("cdx-1.2.json"), 10).unwrap_err();
    assert!(
        matches!(err, SbomError::TooLarge { limit: 10, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("cdx-1.2.json: SBOM is larger than the 10-byte limit"),
        "{err}"
    );

    let err = load_sbom(&fixture("does-not-exist.json")).unwrap_err();
    assert!(matches!(err, SbomError::Io { .. }));

    for (input, want) in [
        (&b""[..], "empty"),
        (b"[1,2]", "not a JSON object"),
        (
            b"{\"spdxVersion\": \"SPDX-3.0\"}",
            "unsupported SPDX version",
        ),
        (b"{\"bomFormat\": \"SPDX\"}", "unknown bomFormat"),
        (
            b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"2.0\"}",
            "unsupported CycloneDX version `2.0`",
        ),
    ] {
        let err = parse_sbom(input).unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
}

#[test]
fn minimal_documents() {
    let sbom =
        parse_sbom(b"\xEF\xBB\xBF{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}").unwrap();
    assert!(sbom.packages.is_empty());
    assert_eq!(sbom.subject, None);
    // A numeric specVersion is read leniently.
    let sbom = parse_sbom(b"  \n{\"bomFormat\": \"CycloneDX\", \"specVersion\": 1.5}").unwrap();
    assert_eq!(
        sbom.format,
        SbomFormat::CycloneDx {
            spec_version: "1.5".into()
        }
    );
    let sbom = parse_sbom(br#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"x"}]}"#).unwrap();
    assert_eq!(sbom.packages.len(), 1);
    assert_eq!(sbom.packages[0].version, "");
    // trivy's `epoch` qualifier becomes the dpkg epoch.
    let sbom = parse_sbom(br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
        {"name":"libgcrypt20","version":"1.10.1-3","purl":"pkg:deb/debian/libgcrypt20@1.10.1-3?arch=amd64&epoch=1&distro=debian-12.4"},
        {"name":"systemd","version":"252.19-1~deb12u1","purl":"pkg:deb/debian/systemd@252.19-1~deb12u1?epoch=0"},
        {"name":"login","purl":"pkg:deb/debian/login@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12&upstream=shadow%401%3A4.13%2Bdfsg1-1"}]}"#).unwrap();
    assert_eq!(sbom.packages[0].version, "1:1.10.1-3");
    assert_eq!(sbom.packages[1].version, "252.19-1~deb12u1");
    assert_eq!(sbom.packages[2].version, "1:4.13+dfsg1-1+b1");
    assert_eq!(sbom.packages[2].source_name.as_deref(), Some("shadow"));
    assert_eq!(
        sbom.packages[2].source_version.as_deref(),
        Some("1:4.13+dfsg1-1")
    );
    // Without a distro qualifier, the operating-system component gives the release.
    let sbom = parse_sbom(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"type":"operating-system","name":"debian","version":"12.5"},
        {"type":"library","name":"bash","purl":"pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64"},
        {"type":"library","name":"musl","purl":"pkg:apk/alpine/musl@1.2.4-r2"}]}"#,
    )
    .unwrap();
    assert_eq!(sbom.packages[0].distro.as_deref(), Some("Debian:12"));
    assert_eq!(sbom.packages[0].version, "5.2.15-2+b2");
    // ...but only for packages of that distribution.
    assert_eq!(sbom.packages[1].distro, None);
    // A deb purl without namespace: the distro qualifier names the distribution.
    let sbom = parse_sbom(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"name":"bash","purl":"pkg:deb/bash@5.2.15-2?distro=debian-12"},
        {"name":"bash","purl":"pkg:deb/bash@5.2.15-2"}]}"#,
    )
    .unwrap();
    assert_eq!(sbom.packages[0].distro.as_deref(), Some("Debian:12"));
    assert_eq!(sbom.packages[1].ecosystem, None);
    // A malformed purl is kept as text but gives no ecosystem.
    let sbom = parse_sbom(br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"x","purl":"nonsense"}]}"#).unwrap();
    assert_eq!(sbom.packages[0].ecosystem, None);
}
