//! Protocols, port ranges and port sets.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A transport protocol a NetworkPolicy port can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// TCP (the default when `protocol` is absent).
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
    /// SCTP.
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    /// All protocols, in rendering order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// The Kubernetes spelling (`TCP`, `UDP`, `SCTP`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses the exact Kubernetes spelling (case-sensitive, as the API server does).
    #[must_use]
    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    const fn slot(self) -> usize {
        match self {
            Protocol::Tcp => 0,
            Protocol::Udp => 1,
            Protocol::Sctp => 2,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lowest port number a policy can name.
pub const MIN_PORT: u16 = 1;
/// The highest port number.
pub const MAX_PORT: u16 = 65535;

/// A sorted list of disjoint, non-adjacent inclusive port ranges within `1..=65535`.
///
/// ```
/// use kubeward_netpol::PortRanges;
/// let mut r = PortRanges::empty();
/// r.insert(8080, 8090);
/// r.insert(80, 80);
/// r.insert(8091, 8091);
/// assert_eq!(r.to_string(), "80,8080-8091");
/// assert!(r.contains(8085));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRanges(Vec<(u16, u16)>);

impl PortRanges {
    /// No ports.
    #[must_use]
    pub const fn empty() -> Self {
        PortRanges(Vec::new())
    }

    /// Every port `1-65535`.
    #[must_use]
    pub fn full() -> Self {
        PortRanges(vec![(MIN_PORT, MAX_PORT)])
    }

    /// A single range (empty when `lo > hi`; clamped to `1..=65535`).
    #[must_use]
    pub fn range(lo: u16, hi: u16) -> Self {
        let mut r = PortRanges::empty();
        r.insert(lo, hi);
        r
    }

    /// The ranges, sorted.
    #[must_use]
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    /// True when no port is in the set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when every port `1-65535` is in the set.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.0.as_slice() == [(MIN_PORT, MAX_PORT)]
    }

    /// Whether `port` is in the set.
    #[must_use]
    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }

    /// Adds `lo..=hi`, keeping the list merged.
    pub fn insert(&mut self, lo: u16, hi: u16) {
        let lo = lo.max(MIN_PORT);
        if lo > hi {
            return;
        }
        self.0.push((lo, hi));
        self.normalize();
    }

    fn normalize(&mut self) {
        self.0.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(self.0.len());
        for &(lo, hi) in &self.0 {
            match out.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => {
                    last.1 = last.1.max(hi);
                }
                _ => out.push((lo, hi)),
            }
        }
        self.0 = out;
    }

    /// The union of two sets.
    #[must_use]
    pub fn union(&self, other: &PortRanges) -> PortRanges {
        if other.is_empty() || self.is_full() {
            return self.clone();
        }
        if self.is_empty() || other.is_full() {
            return other.clone();
        }
        let mut v = self.0.clone();
        v.extend_from_slice(&other.0);
        let mut r = PortRanges(v);
        r.normalize();
        r
    }

    /// The intersection of two sets.
    #[must_use]
    pub fn intersect(&self, other: &PortRanges) -> PortRanges {
        if self.is_full() {
            return other.clone();
        }
        if other.is_full() {
            return self.clone();
        }
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (self.0.get(i), other.0.get(j)) {
            let lo = alo.max(blo);
            let hi = ahi.min(bhi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if ahi < bhi {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortRanges(out)
    }

    /// The ports in `self` that are not in `other`.
    #[must_use]
    pub fn subtract(&self, other: &PortRanges) -> PortRanges {
        let mut out = Vec::new();
        for &(lo, hi) in &self.0 {
            let mut cur = u32::from(lo);
            let hi32 = u32::from(hi);
            for &(blo, bhi) in &other.0 {
                let (blo, bhi) = (u32::from(blo), u32::from(bhi));
                if bhi < cur || blo > hi32 {
                    continue;
                }
                if blo > cur {
                    out.push((cur, blo - 1));
                }
                cur = bhi + 1;
                if cur > hi32 {
                    break;
                }
            }
            if cur <= hi32 {
                out.push((cur, hi32));
            }
        }
        PortRanges(
            out.into_iter()
                .filter_map(|(a, b)| Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?)))
                .collect(),
        )
    }

    /// Parses `80,8080-8090` (whitespace tolerated).
    ///
    /// # Errors
    /// A message when a part is not a port or a range of ports.
    pub fn parse(s: &str) -> Result<PortRanges, String> {
        let mut r = PortRanges::empty();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let lo: u16 = a.trim().parse().map_err(|_| format!("bad port `{a}`"))?;
            let hi: u16 = b.trim().parse().map_err(|_| format!("bad port `{b}`"))?;
            if lo == 0 || lo > hi {
                return Err(format!("bad port range `{part}`"));
            }
            r.insert(lo, hi);
        }
        Ok(r)
    }
}

impl fmt::Display for PortRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct PortSetData {
    /// Protocols other than TCP/UDP/SCTP (ICMP, ...): all or nothing.
    other: bool,
    by_protocol: [PortRanges; 3],
}

/// A set of (protocol, port) pairs that traffic may use.
///
/// `All` (every protocol, every port, including ICMP and other non-port protocols) is what an
/// unisolated pod or a rule without `ports` allows. Otherwise the set lists port ranges per
/// protocol. It serializes as `"all"` or as `{"TCP": "80,8080-8090", "UDP": "53"}`; the key
/// `"other": "all"` appears only in differences (all minus some ports).
///
/// Cheap to clone (shared).
///
/// ```
/// use kubeward_netpol::{PortSet, Protocol};
/// let web = PortSet::ports(Protocol::Tcp, 80, 80).union(&PortSet::ports(Protocol::Tcp, 8080, 8090));
/// assert_eq!(serde_json::to_string(&web).unwrap(), r#"{"TCP":"80,8080-8090"}"#);
/// assert_eq!(PortSet::all().intersect(&web), web);
/// assert_eq!(serde_json::to_string(&PortSet::all()).unwrap(), r#""all""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSet(Arc<PortSetData>);

impl Default for PortSet {
    fn default() -> Self {
        PortSet::none()
    }
}

impl PortSet {
    /// Nothing allowed.
    #[must_use]
    pub fn none() -> Self {
        static NONE: OnceLock<PortSet> = OnceLock::new();
        NONE.get_or_init(|| PortSet(Arc::new(PortSetData::default())))
            .clone()
    }

    /// Everything allowed.
    #[must_use]
    pub fn all() -> Self {
        static ALL: OnceLock<PortSet> = OnceLock::new();
        ALL.get_or_init(|| {
            PortSet(Arc::new(PortSetData {
                other: true,
                by_protocol: [PortRanges::full(), PortRanges::full(), PortRanges::full()],
            }))
        })
        .clone()
    }

    /// `lo..=hi` of one protocol.
    #[must_use]
    pub fn ports(protocol: Protocol, lo: u16, hi: u16) -> Self {
        PortSet::from_ranges(protocol, PortRanges::range(lo, hi))
    }

    /// Every port of one protocol.
    #[must_use]
    pub fn protocol_all(protocol: Protocol) -> Self {
        PortSet::from_ranges(protocol, PortRanges::full())
    }

    /// A set of ranges of one protocol.
    #[must_use]
    pub fn from_ranges(protocol: Protocol, ranges: PortRanges) -> Self {
        let mut d = PortSetData::default();
        if let Some(slot) = d.by_protocol.get_mut(protocol.slot()) {
            *slot = ranges;
        }
        PortSet(Arc::new(d))
    }

    /// True when nothing is allowed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.0.other && self.0.by_protocol.iter().all(PortRanges::is_empty)
    }

    /// True when everything is allowed.
    #[must_use]
    pub fn is_all(&self) -> bool {
        self.0.other && self.0.by_protocol.iter().all(PortRanges::is_full)
    }

    /// Whether protocols other than TCP/UDP/SCTP are allowed.
    #[must_use]
    pub fn other_protocols(&self) -> bool {
        self.0.other
    }

    /// The ranges allowed for one protocol.
    #[must_use]
    pub fn ranges(&self, protocol: Protocol) -> &PortRanges {
        static EMPTY: PortRanges = PortRanges::empty();
        self.0.by_protocol.get(protocol.slot()).unwrap_or(&EMPTY)
    }

    /// Whether `port`/`protocol` is allowed.
    #[must_use]
    pub fn contains(&self, port: u16, protocol: Protocol) -> bool {
        self.ranges(protocol).contains(port)
    }

    fn combine(
        &self,
        other: &PortSet,
        other_flag: bool,
        f: impl Fn(&PortRanges, &PortRanges) -> PortRanges,
    ) -> PortSet {
        let a = &self.0.by_protocol;
        let b = &other.0.by_protocol;
        PortSet(Arc::new(PortSetData {
            other: other_flag,
            by_protocol: [f(&a[0], &b[0]), f(&a[1], &b[1]), f(&a[2], &b[2])],
        }))
    }

    /// Address of the shared data (identity for interning).
    pub(crate) fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The union.
    #[must_use]
    pub fn union(&self, other: &PortSet) -> PortSet {
        if other.is_empty() || self.is_all() || Arc::ptr_eq(&self.0, &other.0) {
            return self.clone();
        }
        if self.is_empty() || other.is_all() {
            return other.clone();
        }
        self.combine(other, self.0.other || other.0.other, PortRanges::union)
    }

    /// The intersection.
    #[must_use]
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        if self.is_all() || Arc::ptr_eq(&self.0, &other.0) {
            return other.clone();
        }
        if other.is_all() {
            return self.clone();
        }
        self.combine(other, self.0.other && other.0.other, PortRanges::intersect)
    }

    /// What `self` allows that `other` does not.
    #[must_use]
    pub fn subtract(&self, other: &PortSet) -> PortSet {
        if other.is_empty() {
            return self.clone();
        }
        self.combine(other, self.0.other && !other.0.other, PortRanges::subtract)
    }

    /// Whether every pair in `other` is in `self`.
    #[must_use]
    pub fn includes(&self, other: &PortSet) -> bool {
        other.subtract(self).is_empty()
    }

    /// The per-protocol view used for serialization (`None` means all).
    #[must_use]
    pub fn to_map(&self) -> Option<BTreeMap<String, String>> {
        if self.is_all() {
            return None;
        }
        let mut m = BTreeMap::new();
        for p in Protocol::ALL {
            let r = self.ranges(p);
            if !r.is_empty() {
                m.insert(p.as_str().to_string(), r.to_string());
            }
        }
        if self.0.other {
            m.insert("other".to_string(), "all".to_string());
        }
        Some(m)
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all");
        }
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut first = true;
        for p in Protocol::ALL {
            let r = self.ranges(p);
            if r.is_empty() {
                continue;
            }
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{p}:{r}")?;
        }
        if self.0.other {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str("other:all")?;
        }
        Ok(())
    }
}

impl Serialize for PortSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_map() {
            None => s.serialize_str("all"),
            Some(m) => m.serialize(s),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PortSetRepr {
    Word(String),
    Map(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for PortSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match PortSetRepr::deserialize(d)? {
            PortSetRepr::Word(w) if w == "all" => Ok(PortSet::all()),
            PortSetRepr::Word(w) => Err(D::Error::custom(format!(
                "expected \"all\" or a map, got `{w}`"
            ))),
            PortSetRepr::Map(m) => {
                let mut data = PortSetData::default();
                for (k, v) in m {
                    if k == "other" {
                        data.other = v == "all";
                        continue;
                    }
                    let p = Protocol::parse(&k)
                        .ok_or_else(|| D::Error::custom(format!("unknown protocol `{k}`")))?;
                    let r = PortRanges::parse(&v).map_err(D::Error::custom)?;
                    if let Some(slot) = data.by_protocol.get_mut(p.slot()) {
                        *slot = r;
                    }
                }
                Ok(PortSet(Arc::new(data)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_algebra() {
        let a = PortRanges::parse("1-100,200-300").unwrap();
        let b = PortRanges::parse("50-250").unwrap();
        assert_eq!(a.union(&b).to_string(), "1-300");
        assert_eq!(a.intersect(&b).to_string(), "50-100,200-250");
        assert_eq!(a.subtract(&b).to_string(), "1-49,251-300");
        assert_eq!(
            PortRanges::full()
                .subtract(&PortRanges::range(80, 80))
                .to_string(),
            "1-79,81-65535"
        );
        assert_eq!(
            PortRanges::full().subtract(&PortRanges::full()).to_string(),
            ""
        );
        assert_eq!(
            PortRanges::range(65535, 65535)
                .subtract(&PortRanges::range(1, 65534))
                .to_string(),
            "65535"
        );
    }

    #[test]
    fn portset_algebra_and_serde() {
        let all = PortSet::all();
        let tcp80 = PortSet::ports(Protocol::Tcp, 80, 80);
        let diff = all.subtract(&tcp80);
        assert!(!diff.is_all());
        assert_eq!(
            diff.to_string(),
            "TCP:1-79,81-65535 UDP:1-65535 SCTP:1-65535 other:all"
        );
        assert_eq!(diff.union(&tcp80), all);
        assert!(all.includes(&tcp80));
        assert!(!tcp80.includes(&all));
        let json = serde_json::to_string(&diff).unwrap();
        let back: PortSet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, diff);
        let back: PortSet = serde_json::from_str("\"all\"").unwrap();
        assert!(back.is_all());
        assert!(
            tcp80
                .intersect(&PortSet::ports(Protocol::Udp, 80, 80))
                .is_empty()
        );
    }
}
