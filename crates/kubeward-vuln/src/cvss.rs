//! CVSS base scores computed from vectors.
//!
//! * v3.0 and v3.1: the base equations of the FIRST specification (section
//!   7.1), with the v3.1 `Roundup` defined in Appendix A (integer arithmetic
//!   to avoid floating-point artefacts) and the v3.0 plain round-up.
//! * v2: the base equation of the CVSS v2 guide (section 3.2.1).
//! * v4.0: delegated to RustSec's `cvss` crate, which carries the FIRST
//!   reference calculator's MacroVector tables, interpolation and rounding
//!   (tested upstream against the Red Hat reference vectors).
//!
//! ```
//! use kubeward_vuln::cvss;
//! // Log4Shell, CVE-2021-44228.
//! assert_eq!(cvss::base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").unwrap(), 10.0);
//! assert_eq!(cvss::base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap(), 7.5);
//! ```

use std::collections::BTreeMap;

/// Why a vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// The vector is malformed (unknown metric, bad value, missing or duplicated base metric).
    #[error("invalid CVSS vector `{vector}`: {reason}")]
    Invalid {
        /// The vector.
        vector: String,
        /// What is wrong.
        reason: String,
    },
}

/// The CVSS version of a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CvssVersion {
    /// CVSS v2 (no prefix, `Au:` metric).
    V2,
    /// CVSS v3.0.
    V30,
    /// CVSS v3.1.
    V31,
    /// CVSS v4.0.
    V40,
}

/// The qualitative severity rating scale of CVSS v3 (section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rating {
    /// 0.0.
    None,
    /// 0.1 to 3.9.
    Low,
    /// 4.0 to 6.9.
    Medium,
    /// 7.0 to 8.9.
    High,
    /// 9.0 to 10.0.
    Critical,
}

/// Map a base score to the CVSS v3 qualitative rating.
#[must_use]
pub fn rating(score: f64) -> Rating {
    if score >= 9.0 {
        Rating::Critical
    } else if score >= 7.0 {
        Rating::High
    } else if score >= 4.0 {
        Rating::Medium
    } else if score > 0.0 {
        Rating::Low
    } else {
        Rating::None
    }
}

/// The CVSS version a vector is written in.
///
/// # Errors
/// [`CvssError::Invalid`] for an unknown `CVSS:x.y` prefix.
pub fn version_of(vector: &str) -> Result<CvssVersion, CvssError> {
    let v = vector.trim();
    if let Some(rest) = v.strip_prefix("CVSS:") {
        let ver = rest.split('/').next().unwrap_or_default();
        return match ver {
            "3.0" => Ok(CvssVersion::V30),
            "3.1" => Ok(CvssVersion::V31),
            "4.0" => Ok(CvssVersion::V40),
            other => Err(invalid(vector, format!("unknown CVSS version `{other}`"))),
        };
    }
    // v2 vectors have no prefix; some feeds wrap them in parentheses.
    Ok(CvssVersion::V2)
}

fn invalid(vector: &str, reason: impl Into<String>) -> CvssError {
    CvssError::Invalid {
        vector: vector.to_string(),
        reason: reason.into(),
    }
}

/// Split `A:B/C:D` into a metric map, rejecting duplicates and malformed parts.
fn metrics<'a>(vector: &str, body: &'a str) -> Result<BTreeMap<&'a str, &'a str>, CvssError> {
    let mut map = BTreeMap::new();
    for part in body.split('/') {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| invalid(vector, format!("`{part}` is not METRIC:VALUE")))?;
        if map.insert(k, v).is_some() {
            return Err(invalid(vector, format!("metric `{k}` appears twice")));
        }
    }
    Ok(map)
}

fn get<'a>(vector: &str, m: &BTreeMap<&str, &'a str>, key: &str) -> Result<&'a str, CvssError> {
    m.get(key)
        .copied()
        .ok_or_else(|| invalid(vector, format!("missing base metric `{key}`")))
}

fn bad(vector: &str, key: &str, val: &str) -> CvssError {
    invalid(vector, format!("invalid value `{val}` for metric `{key}`"))
}

/// Compute the base score of a CVSS v2, v3.0, v3.1 or v4.0 vector.
///
/// # Errors
/// [`CvssError::Invalid`] for malformed vectors.
pub fn base_score(vector: &str) -> Result<f64, CvssError> {
    match version_of(vector)? {
        CvssVersion::V2 => v2(vector),
        CvssVersion::V30 => v3(vector, false),
        CvssVersion::V31 => v3(vector, true),
        CvssVersion::V40 => v4(vector),
    }
}

fn v4(vector: &str) -> Result<f64, CvssError> {
    let v: cvss::v4::Vector = vector
        .trim()
        .parse()
        .map_err(|e: cvss::Error| invalid(vector, e.to_string()))?;
    Ok(v.score().value())
}

/// CVSS v3.1 `Roundup` (Appendix A): the smallest number with one decimal
/// place that is equal to or higher than its input, computed on integers.
fn roundup_31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round();
    if int_input % 10_000.0 == 0.0 {
        int_input / 100_000.0
    } else {
        ((int_input / 10_000.0).floor() + 1.0) / 10.0
    }
}

/// CVSS v3.0 round-up to one decimal.
fn roundup_30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

fn v3(vector: &str, v31: bool) -> Result<f64, CvssError> {
    let body = vector
        .trim()
        .split_once('/')
        .map(|(_, b)| b)
        .ok_or_else(|| invalid(vector, "no metrics"))?;
    let m = metrics(vector, body)?;
    let scope_changed = match get(vector, &m, "S")? {
        "U" => false,
        "C" => true,
        v => return Err(bad(vector, "S", v)),
    };
    let av = match get(vector, &m, "AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        v => return Err(bad(vector, "AV", v)),
    };
    let ac = match get(vector, &m, "AC")? {
        "L" => 0.77,
        "H" => 0.44,
        v => return Err(bad(vector, "AC", v)),
    };
    let pr = match (get(vector, &m, "PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        (v, _) => return Err(bad(vector, "PR", v)),
    };
    let ui = match get(vector, &m, "UI")? {
        "N" => 0.85,
        "R" => 0.62,
        v => return Err(bad(vector, "UI", v)),
    };
    let cia = |key: &str| -> Result<f64, CvssError> {
        match get(vector, &m, key)? {
            "H" => Ok(0.56),
            "L" => Ok(0.22),
            "N" => Ok(0.0),
            v => Err(bad(vector, key, v)),
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let roundup = if v31 { roundup_31 } else { roundup_30 };
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(roundup(raw))
}

fn v2(vector: &str) -> Result<f64, CvssError> {
    let body = vector.trim().trim_start_matches('(').trim_end_matches(')');
    let body = body.strip_prefix("CVSS:2.0/").unwrap_or(body);
    let m = metrics(vector, body)?;
    let av = match get(vector, &m, "AV")? {
        "L" => 0.395,
        "A" => 0.646,
        "N" => 1.0,
        v => return Err(bad(vector, "AV", v)),
    };
    let ac = match get(vector, &m, "AC")? {
        "H" => 0.35,
        "M" => 0.61,
        "L" => 0.71,
        v => return Err(bad(vector, "AC", v)),
    };
    let au = match get(vector, &m, "Au")? {
        "M" => 0.45,
        "S" => 0.56,
        "N" => 0.704,
        v => return Err(bad(vector, "Au", v)),
    };
    let cia = |key: &str| -> Result<f64, CvssError> {
        match get(vector, &m, key)? {
            "N" => Ok(0.0),
            "P" => Ok(0.275),
            "C" => Ok(0.660),
            v => Err(bad(vector, key, v)),
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let raw = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    // "round_to_1_decimal"; the small epsilon undoes binary representation error.
    Ok(((raw * 10.0) + 1e-9).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published scores (NVD / FIRST calculator).
    #[test]
    fn v31_examples() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // CVE-2021-44228
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", 6.8), // GHSA-r9p9-mrjm-926w (elliptic)
            ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2), // CVE-2021-42386
            ("CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H", 6.6),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5), // CVE-2023-44487 (HTTP/2 rapid reset)
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1), // typical reflected XSS
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9), // CVE-2014-0160 (Heartbleed) 3.x rescore
            ("CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 7.4),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v).unwrap(), want, "{v}");
        }
        assert_eq!(
            base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap(),
            9.8
        );
        assert_eq!(
            base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N").unwrap(),
            6.1
        );
        // Temporal/environmental metrics are tolerated and do not change the base score.
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:H/RL:O/RC:C").unwrap(),
            10.0
        );
    }

    #[test]
    fn v2_examples() {
        let cases = [
            ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
            ("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8),
            ("AV:N/AC:L/Au:S/C:P/I:P/A:P", 6.5), // CVE-2021-42386 (v2)
            ("AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0), // CVE-2014-0160
            ("AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3), // CVE-2021-44228 (v2)
            ("AV:L/AC:M/Au:N/C:N/I:P/A:C", 5.4),
            ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
            ("AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0),
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v).unwrap(), want, "{v}");
        }
    }

    /// FIRST calculator examples.
    #[test]
    fn v4_examples() {
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.7,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v).unwrap(), want, "{v}");
        }
    }

    #[test]
    fn errors_and_ratings() {
        assert!(base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N").is_err());
        assert!(
            base_score("CVSS:4.0/AV:Q/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N").is_err()
        );
        assert!(base_score("CVSS:3.1/AV:N/AC:L").is_err());
        assert!(base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(base_score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(base_score("CVSS:9.9/AV:N").is_err());
        assert!(base_score("garbage").is_err());
        assert_eq!(rating(0.0), Rating::None);
        assert_eq!(rating(0.1), Rating::Low);
        assert_eq!(rating(3.9), Rating::Low);
        assert_eq!(rating(4.0), Rating::Medium);
        assert_eq!(rating(6.9), Rating::Medium);
        assert_eq!(rating(7.0), Rating::High);
        assert_eq!(rating(8.9), Rating::High);
        assert_eq!(rating(9.0), Rating::Critical);
    }
}
