//! Property tests of the set algebra the engine relies on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use kubeward_netpol::{IpRange, PortRanges, PortSet, Protocol};
use proptest::prelude::*;

fn ranges() -> impl Strategy<Value = Vec<(u16, u16)>> {
    prop::collection::vec((1u16..200, 0u16..30), 0..6).prop_map(|v| {
        v.into_iter()
            .map(|(a, l)| (a, a.saturating_add(l)))
            .collect()
    })
}

fn build(v: &[(u16, u16)]) -> PortRanges {
    let mut r = PortRanges::empty();
    for &(a, b) in v {
        r.insert(a, b);
    }
    r
}

fn model(v: &[(u16, u16)]) -> BTreeSet<u16> {
    v.iter().flat_map(|&(a, b)| a..=b).collect()
}

fn members(r: &PortRanges) -> BTreeSet<u16> {
    r.ranges().iter().flat_map(|&(a, b)| a..=b).collect()
}

proptest! {
    #[test]
    fn port_ranges_match_a_set_model(a in ranges(), b in ranges()) {
        let (ra, rb) = (build(&a), build(&b));
        let (ma, mb) = (model(&a), model(&b));
        prop_assert_eq!(members(&ra.union(&rb)), ma.union(&mb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(members(&ra.intersect(&rb)), ma.intersection(&mb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(members(&ra.subtract(&rb)), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
        // Normal form: sorted, disjoint, not adjacent; and it round-trips through text.
        for w in ra.ranges().windows(2) {
            prop_assert!(u32::from(w[0].1) + 1 < u32::from(w[1].0));
        }
        prop_assert_eq!(PortRanges::parse(&ra.to_string()).unwrap(), ra);
    }

    #[test]
    fn port_sets_union_and_subtract_are_inverse(a in ranges(), b in ranges(), other in any::<bool>()) {
        let x = PortSet::from_ranges(Protocol::Tcp, build(&a)).union(&PortSet::from_ranges(Protocol::Udp, build(&b)));
        let x = if other { PortSet::all().subtract(&x) } else { x };
        let y = PortSet::from_ranges(Protocol::Tcp, build(&b));
        let d = x.subtract(&y);
        prop_assert_eq!(d.union(&x.intersect(&y)), x.clone());
        prop_assert!(d.intersect(&y).is_empty());
        let json = serde_json::to_string(&x).unwrap();
        prop_assert_eq!(serde_json::from_str::<PortSet>(&json).unwrap(), x);
    }

    #[test]
    fn cidr_cover_is_exact_and_minimal(a in any::<u32>(), len in 0u32..5000) {
        let end = a.saturating_add(len);
        let r = IpRange { start: IpAddr::V4(Ipv4Addr::from(a)), end: IpAddr::V4(Ipv4Addr::from(end)) };
        let cidrs = r.to_cidrs();
        let mut next = u64::from(a);
        for c in &cidrs {
            let cr: IpRange = c.parse().unwrap();
            let (IpAddr::V4(s), IpAddr::V4(e)) = (cr.start, cr.end) else { panic!() };
            prop_assert_eq!(u64::from(u32::from(s)), next);
            next = u64::from(u32::from(e)) + 1;
        }
        prop_assert_eq!(next, u64::from(end) + 1);
        // At most two blocks per prefix length.
        prop_assert!(cidrs.len() <= 64);
    }
}
