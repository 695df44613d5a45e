//! Bounded memory of recent requests, so a detector fires once per request even when the
//! request is logged at several stages.
//!
//! The cache keeps a 64-bit hash of each request key (no allocation per request) with a bit
//! mask of the detectors that already fired for it. When full, the oldest request is forgotten
//! (a ring in insertion order).
//!
//! The `auditID` alone is not a safe key: clients may set it with the `Audit-ID` header, so an
//! attacker could reuse one ID to have later requests de-duplicated away.
//! [`request_key`] therefore also hashes what all stages of one request share: the
//! `requestReceivedTimestamp`, user, verb and request URI.
//!
//! ```
//! use kubeward_audit::dedup::FiredCache;
//! let mut cache = FiredCache::new(2);
//! assert!(cache.first_fire("a", 0));
//! assert!(!cache.first_fire("a", 0)); // same request, same detector
//! assert!(cache.first_fire("a", 1)); // another detector
//! ```

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: a stable, fast 64-bit hash for `auditID` strings.
fn fnv1a(s: &str) -> u64 {
    hash_parts(&[s])
}

/// FNV-1a over several strings, each followed by a 0xff separator (not valid UTF-8, so
/// `("ab","c")` and `("a","bc")` differ).
pub(crate) fn hash_parts(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The de-duplication key of the request behind `ev`: `None` without an `auditID`.
#[must_use]
pub fn request_key(ev: &crate::event::Event<'_>) -> Option<u64> {
    if ev.audit_id.is_empty() {
        return None;
    }
    let received = ev.request_received_timestamp.map_or(i64::MIN, |t| t.0);
    let base = hash_parts(&[&ev.audit_id, &ev.user.username, &ev.verb, &ev.request_uri]);
    Some(
        base ^ received
            .to_le_bytes()
            .iter()
            .fold(0x9e37_79b9_7f4a_7c15u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            }),
    )
}

/// A `HashMap`/`HashSet` hasher for keys that are already hashes.
pub(crate) type IdBuild = BuildHasherDefault<IdHasher>;

/// Keys are already hashes: pass them through.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Remembers, for the last `capacity` requests, which detectors (by index, 0..64) fired.
pub struct FiredCache {
    capacity: usize,
    map: HashMap<u64, u64, BuildHasherDefault<IdHasher>>,
    order: VecDeque<u64>,
    evicted: u64,
}

impl FiredCache {
    /// A cache for `capacity` requests (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            map: HashMap::with_capacity_and_hasher(
                capacity.min(1 << 16),
                BuildHasherDefault::default(),
            ),
            order: VecDeque::with_capacity(capacity.min(1 << 16)),
            evicted: 0,
        }
    }

    /// Records that detector `index` fired for `audit_id`; true when it had not fired for that
    /// request yet. An empty `audit_id` is never de-duplicated. Indexes above 63 share bit 63.
    pub fn first_fire(&mut self, audit_id: &str, index: usize) -> bool {
        if audit_id.is_empty() {
            return true;
        }
        self.first_fire_key(fnv1a(audit_id), index)
    }

    /// As [`FiredCache::first_fire`], with a precomputed key (see [`request_key`]).
    pub fn first_fire_key(&mut self, key: u64, index: usize) -> bool {
        let bit = 1u64 << index.min(63);
        if let Some(mask) = self.map.get_mut(&key) {
            let first = *mask & bit == 0;
            *mask |= bit;
            return first;
        }
        if self.order.len() >= self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.map.remove(&old);
            self.evicted += 1;
        }
        self.map.insert(key, bit);
        self.order.push_back(key);
        true
    }

    /// Number of requests remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when nothing is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// How many requests were forgotten to stay within capacity.
    #[must_use]
    pub fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_oldest_and_stays_bounded() {
        let mut c = FiredCache::new(3);
        for id in ["a", "b", "c", "d"] {
            assert!(c.first_fire(id, 2));
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.evicted(), 1);
        // "a" was forgotten, so it fires again; "d" is remembered.
        assert!(c.first_fire("a", 2));
        assert!(!c.first_fire("d", 2));
        assert!(c.first_fire("", 2));
        assert!(c.first_fire("", 2));
    }
}
