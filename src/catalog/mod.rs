//! Data loaded from `rules/`: API operation specs, OSS regions, and the request checks
//! declared for each operation.
//!
//! The generated files are embedded by `build.rs`; each operation is parsed only when a
//! request for it is checked, so startup costs nothing.

pub mod api;
pub mod regions;
pub mod requests;
