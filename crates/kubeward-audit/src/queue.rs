//! A bounded queue between the audit webhook's HTTP handler and the detection worker.
//!
//! The API server's webhook backend retries a batch when the receiver answers with an error,
//! so a full queue must be *reported*, never silently dropped: [`BoundedQueue::try_push`]
//! hands the item back in [`PushError::Full`] and the HTTP layer answers 429 (or 503); the
//! API server sends the batch again later. Counters tell how many batches were received,
//! processed and rejected.
//!
//! ```
//! use kubeward_audit::queue::{BoundedQueue, PushError};
//! let q = BoundedQueue::new(1);
//! q.try_push("batch-1").unwrap();
//! match q.try_push("batch-2") {
//!     Err(PushError::Full(item)) => assert_eq!(item, "batch-2"), // answer 429, keep nothing
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(q.try_pop(), Some("batch-1"));
//! let s = q.stats();
//! assert_eq!((s.received, s.processed, s.rejected), (1, 1, 1));
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Why an item was not queued; the item is handed back.
pub enum PushError<T> {
    /// The queue is at capacity: answer 429/503 so the sender retries.
    Full(T),
    /// The queue was closed (shutting down): answer 503.
    Closed(T),
}

impl<T> PushError<T> {
    /// The item that was not queued.
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(t) | Self::Closed(t) => t,
        }
    }

    /// The HTTP status the webhook handler should answer with (429 when full, 503 when closed).
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Full(_) => 429,
            Self::Closed(_) => 503,
        }
    }
}

impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("audit queue is full"),
            Self::Closed(_) => f.write_str("audit queue is closed"),
        }
    }
}

impl<T> std::error::Error for PushError<T> {}

/// A snapshot of the queue's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Items accepted by `try_push`.
    pub received: u64,
    /// Items taken out by a consumer.
    pub processed: u64,
    /// Items refused (full or closed).
    pub rejected: u64,
    /// Items waiting now.
    pub queued: usize,
    /// The capacity.
    pub capacity: usize,
}

struct State<T> {
    items: VecDeque<T>,
    closed: bool,
}

/// A fixed-capacity multi-producer, multi-consumer FIFO queue.
pub struct BoundedQueue<T> {
    capacity: usize,
    state: Mutex<State<T>>,
    not_empty: Condvar,
    received: AtomicU64,
    processed: AtomicU64,
    rejected: AtomicU64,
}

impl<T> BoundedQueue<T> {
    /// A queue holding at most `capacity` items (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity.min(1024)),
                closed: false,
            }),
            not_empty: Condvar::new(),
            received: AtomicU64::new(0),
            processed: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panicking consumer cannot leave the deque half-updated: recover the guard.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item`, or hands it back when the queue is full or closed. Never blocks.
    ///
    /// # Errors
    /// [`PushError::Full`] at capacity, [`PushError::Closed`] after [`BoundedQueue::close`].
    pub fn try_push(&self, item: T) -> Result<(), PushError<T>> {
        let mut st = self.lock();
        if st.closed {
            self.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(PushError::Closed(item));
        }
        if st.items.len() >= self.capacity {
            self.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(PushError::Full(item));
        }
        st.items.push_back(item);
        self.received.fetch_add(1, Ordering::Relaxed);
        drop(st);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Takes the oldest item without waiting.
    pub fn try_pop(&self) -> Option<T> {
        let item = self.lock().items.pop_front();
        if item.is_some() {
            self.processed.fetch_add(1, Ordering::Relaxed);
        }
        item
    }

    /// Waits up to `timeout` for an item. `None` on timeout, or when closed and empty.
    pub fn pop_timeout(&self, timeout: Duration) -> Option<T> {
        let st = self.lock();
        let (mut st, _) = self
            .not_empty
            .wait_timeout_while(st, timeout, |s| s.items.is_empty() && !s.closed)
            .unwrap_or_else(PoisonError::into_inner);
        let item = st.items.pop_front();
        if item.is_some() {
            self.processed.fetch_add(1, Ordering::Relaxed);
        }
        item
    }

    /// Waits for an item; `None` once the queue is closed and drained.
    pub fn pop(&self) -> Option<T> {
        let st = self.lock();
        let mut st = self
            .not_empty
            .wait_while(st, |s| s.items.is_empty() && !s.closed)
            .unwrap_or_else(PoisonError::into_inner);
        let item = st.items.pop_front();
        if item.is_some() {
            self.processed.fetch_add(1, Ordering::Relaxed);
        }
        item
    }

    /// Refuses new items; consumers drain what is queued, then `pop` returns `None`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.not_empty.notify_all();
    }

    /// Items waiting now.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// True when no item is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> QueueStats {
        QueueStats {
            received: self.received.load(Ordering::Relaxed),
            processed: self.processed.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            queued: self.len(),
            capacity: self.capacity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn close_rejects_and_drains() {
        let q = BoundedQueue::new(2);
        q.try_push(1).unwrap();
        q.close();
        let e = q.try_push(2).unwrap_err();
        assert_eq!(e.http_status(), 503);
        assert_eq!(e.into_inner(), 2);
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), None);
        assert_eq!(q.stats().rejected, 1);
    }

    #[test]
    fn consumer_thread_receives_everything_accepted() {
        let q = Arc::new(BoundedQueue::new(4));
        let c = Arc::clone(&q);
        let worker = std::thread::spawn(move || {
            let mut sum = 0u64;
            while let Some(v) = c.pop() {
                sum += v;
            }
            sum
        });
        let mut accepted = 0u64;
        for v in 1..=100u64 {
            let mut item = v;
            // Retry like the API server does after a 429.
            loop {
                match q.try_push(item) {
                    Ok(()) => break,
                    Err(e) => {
                        item = e.into_inner();
                        std::thread::yield_now();
                    }
                }
            }
            accepted += v;
        }
        q.close();
        assert_eq!(worker.join().unwrap(), accepted);
        let s = q.stats();
        assert_eq!(s.received, 100);
        assert_eq!(s.processed, 100);
    }
}
