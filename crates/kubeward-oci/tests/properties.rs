//! Property tests: parsing never panics, canonical forms round-trip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kubeward_oci::{Digest, Reference};
use proptest::prelude::*;

proptest! {
    #[test]
    fn reference_parse_never_panics_and_round_trips(s in "\\PC{0,80}") {
        if let Ok(r) = Reference::parse(&s) {
            let again = Reference::parse(&r.to_string()).unwrap();
            prop_assert_eq!(again, r);
        }
    }

    #[test]
    fn structured_references_round_trip(
        host in "[a-z][a-z0-9-]{0,10}[a-z0-9]\\.[a-z]{2,5}",
        port in proptest::option::of(1u16..),
        path in "[a-z0-9]+(?:[._-][a-z0-9]+)?(?:/[a-z0-9]+(?:__[a-z0-9]+)?){0,3}",
        tag in proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
        content in proptest::collection::vec(any::<u8>(), 0..64),
        pin in any::<bool>(),
    ) {
        let registry = match port { Some(p) => format!("{host}:{p}"), None => host };
        let digest = pin.then(|| Digest::sha256_of(&content));
        let mut s = format!("{registry}/{path}");
        if let Some(t) = &tag { s.push(':'); s.push_str(t); }
        if let Some(d) = &digest { s.push('@'); s.push_str(&d.to_string()); }
        let r = Reference::parse(&s).unwrap();
        prop_assert_eq!(r.registry(), registry.as_str());
        prop_assert_eq!(r.repository(), path.as_str());
        let want_tag = tag.clone().or_else(|| digest.is_none().then(|| "latest".to_owned()));
        prop_assert_eq!(r.tag(), want_tag.as_deref());
        prop_assert_eq!(r.digest(), digest.as_ref());
    }

    #[test]
    fn digest_parse_never_panics(s in "\\PC{0,140}") {
        if let Ok(d) = Digest::parse(&s) {
            prop_assert_eq!(d.to_string(), s);
        }
    }
}
