//! A small, lenient Package URL parser (purl-spec): `pkg:type/namespace/name@version?qualifiers#subpath`.
//!
//! ```
//! use kubeward_vuln::purl::Purl;
//! let p = Purl::parse("pkg:npm/%40babel/core@7.23.0").unwrap();
//! assert_eq!((p.ty.as_str(), p.namespace.as_deref(), p.name.as_str()), ("npm", Some("@babel"), "core"));
//! assert_eq!(p.version.as_deref(), Some("7.23.0"));
//! ```

use std::collections::BTreeMap;

/// A parsed package URL; every component is percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// Package type, lowercased (`deb`, `apk`, `npm`, `pypi`, `maven`, `golang`, `cargo`, ...).
    pub ty: String,
    /// Namespace segments joined by `/` (`debian`, `@babel`, `org.apache.logging.log4j`, `github.com/gorilla`).
    pub namespace: Option<String>,
    /// Package name.
    pub name: String,
    /// Version, if present.
    pub version: Option<String>,
    /// Qualifiers with lowercased keys.
    pub qualifiers: BTreeMap<String, String>,
    /// Subpath, if present.
    pub subpath: Option<String>,
}

/// Why a purl could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid package URL `{purl}`: {reason}")]
pub struct PurlError {
    /// The input.
    pub purl: String,
    /// What is wrong.
    pub reason: &'static str,
}

/// Percent-decode (`%40` -> `@`); malformed escapes are kept literally.
#[must_use]
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parse a package URL.
    ///
    /// # Errors
    /// When the scheme is not `pkg:` or the type or name is missing.
    pub fn parse(input: &str) -> Result<Purl, PurlError> {
        let err = |reason| PurlError {
            purl: input.to_string(),
            reason,
        };
        let s = input.trim();
        let rest = match s.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("pkg:") => s.get(4..).unwrap_or_default(),
            _ => return Err(err("scheme is not `pkg:`")),
        };
        let rest = rest.trim_start_matches('/');
        let (rest, subpath) = match rest.rsplit_once('#') {
            Some((r, sp)) => (
                r,
                Some(sp.trim_matches('/').to_string()).filter(|s| !s.is_empty()),
            ),
            None => (rest, None),
        };
        let (rest, quals) = match rest.rsplit_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let mut qualifiers = BTreeMap::new();
        for kv in quals
            .unwrap_or_default()
            .split('&')
            .filter(|kv| !kv.is_empty())
        {
            if let Some((k, v)) = kv.split_once('=') {
                let v = percent_decode(v);
                if !v.is_empty() {
                    qualifiers.insert(k.to_ascii_lowercase(), v);
                }
            }
        }
        let (ty, path) = rest
            .split_once('/')
            .ok_or_else(|| err("missing package name"))?;
        if ty.is_empty() {
            return Err(err("missing package type"));
        }
        let path = path.trim_end_matches('/');
        // The version separator is the last `@` after the last `/` (a leading
        // `@` of an npm scope is part of the namespace).
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match path.get(last_slash..).and_then(|tail| tail.rfind('@')) {
            Some(at) if at > 0 => {
                let split = last_slash + at;
                (
                    path.get(..split).unwrap_or_default(),
                    Some(percent_decode(path.get(split + 1..).unwrap_or_default()))
                        .filter(|v| !v.is_empty()),
                )
            }
            _ => (path, None),
        };
        let mut segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let name = segments.pop().ok_or_else(|| err("missing package name"))?;
        let namespace = if segments.is_empty() {
            None
        } else {
            Some(segments.join("/"))
        };
        Ok(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        })
    }

    /// A qualifier value by (lowercase) key.
    #[must_use]
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_and_trivy_styles() {
        let p = Purl::parse(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        )
        .unwrap();
        assert_eq!(p.ty, "deb");
        assert_eq!(p.namespace.as_deref(), Some("debian"));
        assert_eq!(p.name, "libssl3");
        assert_eq!(p.version.as_deref(), Some("3.0.11-1~deb12u2"));
        assert_eq!(p.qualifier("distro"), Some("debian-12"));
        assert_eq!(p.qualifier("upstream"), Some("openssl"));

        let p = Purl::parse("pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&upstream=gcc-12%4012.2.0-14&distro=debian-12").unwrap();
        assert_eq!(p.qualifier("upstream"), Some("gcc-12@12.2.0-14"));

        let p = Purl::parse(
            "pkg:apk/alpine/busybox@1.36.1-r2?arch=x86_64&upstream=busybox&distro=alpine-3.18.4",
        )
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.qualifier("distro")),
            ("busybox", Some("alpine-3.18.4"))
        );

        let p = Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("org.apache.logging.log4j"));

        let p = Purl::parse("pkg:golang/github.com/gorilla/websocket@v1.5.0").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("github.com/gorilla"));
        assert_eq!(p.version.as_deref(), Some("v1.5.0"));

        let p = Purl::parse("pkg:npm/@babel/core@7.23.0").unwrap();
        assert_eq!(
            (p.namespace.as_deref(), p.name.as_str()),
            (Some("@babel"), "core")
        );
        let p = Purl::parse("pkg:npm/@babel/core").unwrap();
        assert_eq!(
            (p.namespace.as_deref(), p.name.as_str(), p.version),
            (Some("@babel"), "core", None)
        );

        let p = Purl::parse("pkg:golang/example.com/mod@v1.0.0#sub/pkg").unwrap();
        assert_eq!(p.subpath.as_deref(), Some("sub/pkg"));
        let p = Purl::parse("PKG:PyPI/Django@4.2").unwrap();
        assert_eq!((p.ty.as_str(), p.name.as_str()), ("pypi", "Django"));
    }

    #[test]
    fn errors() {
        assert!(Purl::parse("npm/foo@1").is_err());
        assert!(Purl::parse("pkg:npm").is_err());
        assert!(Purl::parse("pkg:/foo").is_err());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
