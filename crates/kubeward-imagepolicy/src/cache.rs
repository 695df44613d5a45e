//! A bounded cache with per-entry expiry, for admission: state stays per replica and bounded
//! (`images.admission.cache-entries`), so a fleet of stateless webhook replicas each warm their
//! own. When full, expired entries go first, then the oldest inserted.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A thread-safe bounded map whose entries expire.
///
/// ```
/// use std::time::{Duration, Instant};
/// use kubeward_imagepolicy::cache::TtlCache;
/// let cache = TtlCache::new(2);
/// let now = Instant::now();
/// cache.insert_at("a", 1, Duration::from_secs(10), now);
/// cache.insert_at("b", 2, Duration::from_secs(10), now);
/// cache.insert_at("c", 3, Duration::from_secs(10), now); // evicts "a", the oldest
/// assert_eq!(cache.get_at(&"a", now), None);
/// assert_eq!(cache.get_at(&"c", now), Some(3));
/// assert_eq!(cache.get_at(&"b", now + Duration::from_secs(11)), None); // expired
/// ```
#[derive(Debug)]
pub struct TtlCache<K, V> {
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

#[derive(Debug)]
struct Inner<K, V> {
    entries: HashMap<K, (V, Instant, u64)>,
    /// Insertion order with a generation, so a re-inserted key's stale queue slot is skipped.
    order: VecDeque<(K, u64)>,
    generation: u64,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    /// An empty cache holding at most `capacity` entries (at least one).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        TtlCache {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                order: VecDeque::new(),
                generation: 0,
            }),
        }
    }

    /// The live value of `key`, if any.
    #[must_use]
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    /// The value of `key` if it has not expired at `now`.
    #[must_use]
    pub fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let mut inner = self.inner.lock().ok()?;
        match inner.entries.get(key) {
            Some((value, expires, _)) if *expires > now => Some(value.clone()),
            Some(_) => {
                inner.entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` for `ttl`.
    pub fn insert(&self, key: K, value: V, ttl: Duration) {
        self.insert_at(key, value, ttl, Instant::now());
    }

    /// Stores `value` for `ttl` from `now`, evicting when full.
    pub fn insert_at(&self, key: K, value: V, ttl: Duration, now: Instant) {
        if ttl.is_zero() {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let inner = &mut *inner;
        inner.generation += 1;
        let generation = inner.generation;
        let expires = now.checked_add(ttl).unwrap_or(now);
        inner
            .entries
            .insert(key.clone(), (value, expires, generation));
        inner.order.push_back((key, generation));
        if inner.entries.len() > self.capacity {
            inner.entries.retain(|_, (_, e, _)| *e > now);
        }
        while inner.entries.len() > self.capacity {
            let Some((old, g)) = inner.order.pop_front() else {
                break;
            };
            if inner
                .entries
                .get(&old)
                .is_some_and(|(_, _, current)| *current == g)
            {
                inner.entries.remove(&old);
            }
        }
        // Keep the order queue proportional to the live entries.
        if inner.order.len() > self.capacity.saturating_mul(4) {
            let entries = &inner.entries;
            inner
                .order
                .retain(|(k, g)| entries.get(k).is_some_and(|(_, _, c)| c == g));
        }
    }

    /// Entries currently stored (expired ones included until touched).
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.entries.len())
    }

    /// Whether the cache is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn never_exceeds_capacity_and_reinsert_refreshes() {
        let cache = TtlCache::new(3);
        let now = Instant::now();
        for i in 0..1_000 {
            cache.insert_at(i % 5, i, Duration::from_secs(60), now);
            assert!(cache.len() <= 3);
        }
        // 999 % 5 == 4 was inserted last.
        assert_eq!(cache.get_at(&4, now), Some(999));
    }

    #[test]
    fn expired_entries_are_evicted_first() {
        let cache = TtlCache::new(2);
        let now = Instant::now();
        cache.insert_at("short", 1, Duration::from_secs(1), now);
        cache.insert_at("long", 2, Duration::from_secs(100), now);
        let later = now + Duration::from_secs(5);
        cache.insert_at("new", 3, Duration::from_secs(100), later);
        assert_eq!(cache.get_at(&"long", later), Some(2));
        assert_eq!(cache.get_at(&"new", later), Some(3));
    }

    #[test]
    fn zero_ttl_is_not_stored() {
        let cache = TtlCache::new(2);
        cache.insert("a", 1, Duration::ZERO);
        assert!(cache.is_empty());
    }
}
