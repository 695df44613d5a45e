//! IP ranges, CIDRs and the partition of the address space by ipBlocks.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Family {
    V4,
    V6,
}

impl Family {
    pub(crate) const fn max(self) -> u128 {
        match self {
            Family::V4 => u32::MAX as u128,
            Family::V6 => u128::MAX,
        }
    }

    const fn bits(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    fn addr(self, v: u128) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(v).unwrap_or(u32::MAX))),
            Family::V6 => IpAddr::V6(Ipv6Addr::from(v)),
        }
    }
}

pub(crate) fn split_addr(a: IpAddr) -> (Family, u128) {
    match a {
        IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (Family::V6, u128::from(v6)),
    }
}

/// An inclusive range of addresses of one family, outside the cluster.
///
/// Renders and serializes as `start-end` (`10.0.0.0-10.255.255.255`).
///
/// ```
/// use kubeward_netpol::IpRange;
/// let r: IpRange = "10.0.0.0/8".parse().unwrap();
/// assert_eq!(r.to_string(), "10.0.0.0-10.255.255.255");
/// assert!(r.contains("10.1.2.3".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    /// First address.
    pub start: IpAddr,
    /// Last address (inclusive).
    pub end: IpAddr,
}

impl IpRange {
    /// One address.
    #[must_use]
    pub const fn single(addr: IpAddr) -> Self {
        IpRange {
            start: addr,
            end: addr,
        }
    }

    /// All IPv4 addresses.
    #[must_use]
    pub const fn all_v4() -> Self {
        IpRange {
            start: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            end: IpAddr::V4(Ipv4Addr::BROADCAST),
        }
    }

    /// All IPv6 addresses.
    #[must_use]
    pub const fn all_v6() -> Self {
        IpRange {
            start: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            end: IpAddr::V6(Ipv6Addr::new(
                0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
            )),
        }
    }

    pub(crate) fn from_parts(family: Family, lo: u128, hi: u128) -> Self {
        IpRange {
            start: family.addr(lo),
            end: family.addr(hi),
        }
    }

    /// `(family, start, end)` as integers; `None` when the two ends differ in family or are
    /// reversed.
    pub(crate) fn parts(&self) -> Option<(Family, u128, u128)> {
        let (fa, a) = split_addr(self.start);
        let (fb, b) = split_addr(self.end);
        (fa == fb && a <= b).then_some((fa, a, b))
    }

    /// Whether `addr` is inside.
    #[must_use]
    pub fn contains(&self, addr: IpAddr) -> bool {
        let (f, v) = split_addr(addr);
        self.parts()
            .is_some_and(|(rf, lo, hi)| rf == f && lo <= v && v <= hi)
    }

    /// The smallest list of CIDRs covering exactly this range.
    ///
    /// ```
    /// use kubeward_netpol::IpRange;
    /// let r: IpRange = "10.0.0.0-10.0.0.5".parse().unwrap();
    /// assert_eq!(r.to_cidrs(), vec!["10.0.0.0/30", "10.0.0.4/31"]);
    /// ```
    #[must_use]
    pub fn to_cidrs(&self) -> Vec<String> {
        let Some((family, mut lo, hi)) = self.parts() else {
            return Vec::new();
        };
        let bits = family.bits();
        let mut out = Vec::new();
        loop {
            // Largest block aligned at `lo` that stays within `hi`.
            let mut size_bits = if lo == 0 {
                u32::from(bits)
            } else {
                lo.trailing_zeros().min(u32::from(bits))
            };
            loop {
                let last = if size_bits >= 128 {
                    u128::MAX
                } else {
                    lo | ((1u128 << size_bits) - 1)
                };
                if last <= hi {
                    break;
                }
                size_bits -= 1;
            }
            let prefix = u32::from(bits) - size_bits;
            out.push(format!("{}/{prefix}", family.addr(lo)));
            let last = if size_bits >= 128 {
                u128::MAX
            } else {
                lo | ((1u128 << size_bits) - 1)
            };
            if last >= hi {
                break;
            }
            lo = last + 1;
        }
        out
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// Errors parsing an [`IpRange`] or a CIDR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpParseError {
    /// Not an address, `a-b` range or CIDR.
    #[error("`{0}` is not an IP address, range or CIDR")]
    Invalid(String),
}

impl FromStr for IpRange {
    type Err = IpParseError;

    /// Accepts `a.b.c.d`, `a-b` and CIDRs.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.contains('/') {
            let c = Cidr::parse(s).ok_or_else(|| IpParseError::Invalid(s.to_string()))?;
            return Ok(IpRange::from_parts(c.family, c.lo, c.hi));
        }
        if let Some((a, b)) = s.split_once('-') {
            let a: IpAddr = a
                .trim()
                .parse()
                .map_err(|_| IpParseError::Invalid(s.to_string()))?;
            let b: IpAddr = b
                .trim()
                .parse()
                .map_err(|_| IpParseError::Invalid(s.to_string()))?;
            let r = IpRange { start: a, end: b };
            return r
                .parts()
                .map(|_| r)
                .ok_or_else(|| IpParseError::Invalid(s.to_string()));
        }
        let a: IpAddr = s
            .parse()
            .map_err(|_| IpParseError::Invalid(s.to_string()))?;
        Ok(IpRange::single(a))
    }
}

impl Serialize for IpRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A parsed CIDR as an inclusive integer range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cidr {
    pub family: Family,
    pub lo: u128,
    pub hi: u128,
    pub prefix: u8,
    /// Host bits were set in the written address (accepted by the API server, masked).
    pub host_bits: bool,
    /// An IPv4 octet was written with leading zeros (accepted, read as decimal).
    pub leading_zeros: bool,
}

impl Cidr {
    /// Parses like Go's `net.ParseCIDR` (as the API server does, via `ParseCIDRSloppy`, which
    /// also accepts leading zeros in IPv4 octets).
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = s.split_once('/')?;
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix: u8 = prefix.parse().ok()?;
        let (family, v) = parse_addr_sloppy(addr)?;
        if prefix > family.bits() {
            return None;
        }
        let host_mask = if prefix == 0 {
            family.max()
        } else {
            let host = u32::from(family.bits() - prefix);
            if host == 0 { 0 } else { (1u128 << host) - 1 }
        };
        let lo = v & !host_mask & family.max();
        Some(Cidr {
            family,
            lo,
            hi: lo | host_mask,
            prefix,
            host_bits: v & host_mask != 0,
            leading_zeros: !addr.contains(':')
                && addr.split('.').any(|o| o.len() > 1 && o.starts_with('0')),
        })
    }
}

fn parse_addr_sloppy(s: &str) -> Option<(Family, u128)> {
    if s.contains(':') {
        let v6: Ipv6Addr = s.parse().ok()?;
        return Some((Family::V6, u128::from(v6)));
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u8 = p.parse().ok()?;
        v = (v << 8) | u32::from(octet);
    }
    Some((Family::V4, u128::from(v)))
}

/// Elementary intervals of both address spaces cut at every given boundary.
pub(crate) fn partition(ranges: &[(Family, u128, u128)]) -> Vec<(Family, u128, u128)> {
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        let mut cuts: Vec<u128> = vec![0];
        for &(f, lo, hi) in ranges {
            if f != family {
                continue;
            }
            cuts.push(lo);
            if hi < family.max() {
                cuts.push(hi + 1);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for (i, &start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).map_or(family.max(), |n| n - 1);
            out.push((family, start, end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parsing() {
        let c = Cidr::parse("10.1.2.3/8").unwrap();
        assert_eq!((c.lo, c.hi, c.host_bits), (10 << 24, (11 << 24) - 1, true));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("10.0.0/8").is_none());
        assert!(Cidr::parse("10.0.0.0").is_none());
        assert!(Cidr::parse("not-cidr").is_none());
        let z = Cidr::parse("0.0.0.0/0").unwrap();
        assert_eq!((z.lo, z.hi), (0, u128::from(u32::MAX)));
        let v6 = Cidr::parse("::/0").unwrap();
        assert_eq!((v6.lo, v6.hi), (0, u128::MAX));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert_eq!(
            IpRange::from_parts(v6.family, v6.lo, v6.hi).to_string(),
            "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert_eq!(Cidr::parse("010.0.0.0/8").unwrap().lo, 10 << 24);
    }

    #[test]
    fn range_to_cidrs() {
        assert_eq!(IpRange::all_v4().to_cidrs(), vec!["0.0.0.0/0"]);
        assert_eq!(IpRange::all_v6().to_cidrs(), vec!["::/0"]);
        let r: IpRange = "10.0.0.0-10.0.255.255".parse().unwrap();
        assert_eq!(r.to_cidrs(), vec!["10.0.0.0/16"]);
        let r: IpRange = "0.0.0.0-9.255.255.255".parse().unwrap();
        assert_eq!(r.to_cidrs(), vec!["0.0.0.0/5", "8.0.0.0/7"]);
        let r: IpRange = "11.0.0.0-255.255.255.255".parse().unwrap();
        let cidrs = r.to_cidrs();
        assert_eq!(cidrs.first().unwrap(), "11.0.0.0/8");
        assert_eq!(cidrs.last().unwrap(), "128.0.0.0/1");
    }

    #[test]
    fn partition_cuts() {
        let p = partition(&[
            (Family::V4, 10 << 24, (11 << 24) - 1),
            (Family::V4, 10 << 24, (10 << 24) + 255),
        ]);
        let v4: Vec<_> = p
            .iter()
            .filter(|x| x.0 == Family::V4)
            .map(|&(f, a, b)| IpRange::from_parts(f, a, b).to_string())
            .collect();
        assert_eq!(
            v4,
            vec![
                "0.0.0.0-9.255.255.255",
                "10.0.0.0-10.0.0.255",
                "10.0.1.0-10.255.255.255",
                "11.0.0.0-255.255.255.255"
            ]
        );
        assert_eq!(p.iter().filter(|x| x.0 == Family::V6).count(), 1);
    }
}
