//! Integration tests of the public API: fixtures per check, parser features, the corpus,
//! documentation examples and no-panic properties.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod corpus;
mod docs;
mod fixtures;
mod parser;
mod props;
