//! Scaffolding shared by the integration tests: a fake HTTP/1.1 registry on a tokio listener,
//! and helpers for the tests against a real `docker-registry` and skopeo.
#![allow(dead_code)]

pub mod fake_http;
pub mod real_registry;
