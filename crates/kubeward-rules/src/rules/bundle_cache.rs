//! One analysis per bundle, shared by the rules of a category: the NET rules share one
//! connectivity analysis and the RBAC rules one policy/risk report instead of rebuilding them
//! per rule. The cache is per thread and keyed by the identity of every object of the bundle
//! (its source text by address and length, pinned so the address cannot be reused, its place
//! in the file and its reference), so two bundles never share an analysis.
//!
//! A per-run cache slot in `BundleContext` would be the cleaner home for this (it would not
//! rely on identity); this module is the one place to change when that lands.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::thread::LocalKey;

use kubeward_model::ObjectIndex;
use kubeward_source::{SourceFile, Span};

/// The identity of one object of a bundle.
#[derive(PartialEq, Eq)]
struct ObjectKey {
    text: (usize, usize),
    document: usize,
    item: Option<usize>,
    span: Span,
    root: Span,
    kind: String,
    namespace: Option<String>,
    name: String,
}

/// The identity of a bundle, with the source texts its keys point into kept alive.
pub(crate) struct BundleKey {
    keys: Vec<ObjectKey>,
    _sources: Vec<SourceFile>,
}

impl PartialEq for BundleKey {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys
    }
}

impl BundleKey {
    fn of(index: &ObjectIndex) -> Self {
        let mut sources: Vec<SourceFile> = Vec::new();
        let mut seen = BTreeSet::new();
        let keys = index
            .all()
            .iter()
            .map(|o| {
                let text = o.origin.source.text();
                let addr = (text.as_ptr() as usize, text.len());
                if seen.insert(addr) {
                    sources.push(o.origin.source.clone());
                }
                ObjectKey {
                    text: addr,
                    document: o.origin.document,
                    item: o.origin.item,
                    span: o.origin.span,
                    root: o.root.span,
                    kind: o.reference.kind.clone(),
                    namespace: o.reference.namespace.clone(),
                    name: o.reference.name.clone(),
                }
            })
            .collect();
        BundleKey {
            keys,
            _sources: sources,
        }
    }
}

/// A per-thread slot holding the last bundle's analysis.
pub(crate) type Slot<T> = RefCell<Option<(BundleKey, Rc<T>)>>;

/// The analysis of `index` from `slot`, built with `build` when the slot holds another
/// bundle's (or none).
pub(crate) fn cached<T: 'static>(
    slot: &'static LocalKey<Slot<T>>,
    index: &ObjectIndex,
    build: impl FnOnce() -> T,
) -> Rc<T> {
    let key = BundleKey::of(index);
    slot.with(|cell| {
        if let Some((cached_key, value)) = cell.borrow().as_ref()
            && *cached_key == key
        {
            return Rc::clone(value);
        }
        let value = Rc::new(build());
        *cell.borrow_mut() = Some((key, Rc::clone(&value)));
        value
    })
}
