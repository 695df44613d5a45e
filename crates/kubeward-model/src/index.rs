//! [`ObjectIndex`]: all objects of a scan, for rules that look across objects.

use std::collections::HashMap;

use crate::object::Object;

/// Objects of a scan, indexed by kind and by `(kind, namespace, name)`.
#[derive(Debug, Default)]
pub struct ObjectIndex {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
}

impl ObjectIndex {
    /// An index over `objects`.
    #[must_use]
    pub fn new(objects: Vec<Object>) -> Self {
        let mut index = Self::default();
        for object in objects {
            index.push(object);
        }
        index
    }

    /// Adds an object.
    pub fn push(&mut self, object: Object) {
        let id = self.objects.len();
        self.by_kind
            .entry(object.kind().to_string())
            .or_default()
            .push(id);
        self.objects.push(object);
    }

    /// Every object, in insertion order.
    #[must_use]
    pub fn all(&self) -> &[Object] {
        &self.objects
    }

    /// Objects of one kind.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.objects.get(i))
    }

    /// The object with this kind, namespace (`None` matches objects without one) and name.
    #[must_use]
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        self.of_kind(kind)
            .find(|o| o.name() == name && o.namespace() == namespace)
    }

    /// Number of objects.
    #[must_use]
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when there are no objects.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}
