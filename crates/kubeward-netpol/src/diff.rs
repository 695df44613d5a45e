//! Differences between two connectivity results.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ip::Family;
use crate::{Connection, Endpoint, IpRange, PortSet};

/// What a change of policies (or of workloads) does to connectivity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionDiff {
    /// Traffic allowed now that was not (only the added ports).
    pub gained: Vec<Connection>,
    /// Traffic allowed before that is not any more (only the removed ports).
    pub lost: Vec<Connection>,
}

impl ConnectionDiff {
    /// True when connectivity is the same.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
}

/// Connections gained and lost from `old` to `new`. External ranges of the two sides may be
/// cut differently; both are refined to common pieces before comparing, and adjacent pieces
/// with the same result are merged back.
///
/// ```
/// use kubeward_netpol::{diff, Connection, Endpoint, PortSet, Protocol};
/// let w = Endpoint::workload("Deployment", "a", "w");
/// let all: Endpoint = Endpoint::parse("0.0.0.0-255.255.255.255").unwrap();
/// let old = vec![Connection { src: w.clone(), dst: all, ports: PortSet::all() }];
/// let new = vec![Connection { src: w.clone(), dst: Endpoint::parse("10.0.0.0/8").unwrap(), ports: PortSet::all() }];
/// let d = diff(&old, &new);
/// assert!(d.gained.is_empty());
/// assert_eq!(d.lost.len(), 2); // 0.0.0.0-9.255.255.255 and 11.0.0.0-255.255.255.255
/// ```
#[must_use]
pub fn diff(old: &[Connection], new: &[Connection]) -> ConnectionDiff {
    let mut cuts: BTreeMap<Family, Vec<u128>> = BTreeMap::new();
    for c in old.iter().chain(new) {
        for e in [&c.src, &c.dst] {
            if let Endpoint::IpRange(r) = e
                && let Some((f, lo, hi)) = r.parts()
            {
                let v = cuts.entry(f).or_default();
                v.push(lo);
                if hi < f.max() {
                    v.push(hi + 1);
                }
            }
        }
    }
    for v in cuts.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let refine = |e: &Endpoint| -> Vec<Endpoint> {
        let Endpoint::IpRange(r) = e else {
            return vec![e.clone()];
        };
        let Some((f, lo, hi)) = r.parts() else {
            return vec![e.clone()];
        };
        let empty = Vec::new();
        let fc = cuts.get(&f).unwrap_or(&empty);
        let mut out = Vec::new();
        let mut start = lo;
        for &c in fc.iter().filter(|&&c| c > lo && c <= hi) {
            out.push(Endpoint::IpRange(IpRange::from_parts(f, start, c - 1)));
            start = c;
        }
        out.push(Endpoint::IpRange(IpRange::from_parts(f, start, hi)));
        out
    };
    let table = |conns: &[Connection]| -> BTreeMap<(Endpoint, Endpoint), PortSet> {
        let mut m: BTreeMap<(Endpoint, Endpoint), PortSet> = BTreeMap::new();
        for c in conns {
            for s in refine(&c.src) {
                for d in refine(&c.dst) {
                    let slot = m.entry((s.clone(), d)).or_default();
                    *slot = slot.union(&c.ports);
                }
            }
        }
        m
    };
    let a = table(old);
    let b = table(new);
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    let none = PortSet::none();
    for (k, pb) in &b {
        let pa = a.get(k).unwrap_or(&none);
        let g = pb.subtract(pa);
        if !g.is_empty() {
            gained.push(Connection {
                src: k.0.clone(),
                dst: k.1.clone(),
                ports: g,
            });
        }
    }
    for (k, pa) in &a {
        let pb = b.get(k).unwrap_or(&none);
        let l = pa.subtract(pb);
        if !l.is_empty() {
            lost.push(Connection {
                src: k.0.clone(),
                dst: k.1.clone(),
                ports: l,
            });
        }
    }
    ConnectionDiff {
        gained: merge_adjacent(gained),
        lost: merge_adjacent(lost),
    }
}

fn adjacent(a: &Endpoint, b: &Endpoint) -> Option<Endpoint> {
    let (Endpoint::IpRange(x), Endpoint::IpRange(y)) = (a, b) else {
        return None;
    };
    let (fx, _, xhi) = x.parts()?;
    let (fy, ylo, _) = y.parts()?;
    (fx == fy && xhi.checked_add(1) == Some(ylo)).then_some({
        Endpoint::IpRange(IpRange {
            start: x.start,
            end: y.end,
        })
    })
}

/// Merges contiguous external ranges with the same other end and ports.
pub(crate) fn merge_adjacent(mut conns: Vec<Connection>) -> Vec<Connection> {
    // Destinations first (sorted by src, dst), then sources (sorted by dst, src).
    conns.sort();
    let mut out: Vec<Connection> = Vec::with_capacity(conns.len());
    for c in conns {
        if let Some(last) = out.last_mut()
            && last.src == c.src
            && last.ports == c.ports
            && let Some(m) = adjacent(&last.dst, &c.dst)
        {
            last.dst = m;
            continue;
        }
        out.push(c);
    }
    out.sort_by(|a, b| (&a.dst, &a.src).cmp(&(&b.dst, &b.src)));
    let mut out2: Vec<Connection> = Vec::with_capacity(out.len());
    for c in out {
        if let Some(last) = out2.last_mut()
            && last.dst == c.dst
            && last.ports == c.ports
            && let Some(m) = adjacent(&last.src, &c.src)
        {
            last.src = m;
            continue;
        }
        out2.push(c);
    }
    out2.sort();
    out2
}
