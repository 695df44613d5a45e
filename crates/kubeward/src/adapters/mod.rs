//! Adapters from domain engines over non-manifest input to Diagnostics (through
//! `Engine::external`), one module per input kind.

pub mod dockerfile;
