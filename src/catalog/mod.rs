//! Data loaded from `rules/`: the RAM action catalog, what is known of the resources some
//! actions act on, API operation specs, OSS regions, and the request checks declared for
//! each operation.
//!
//! The generated files are embedded by `build.rs`: the action catalog as sorted statics, and
//! each operation as a JSON string parsed only when a request for it is checked, so startup
//! parses nothing.

pub mod actions;
pub mod api;
pub mod regions;
pub mod requests;
pub mod resources;

pub use actions::{Action, DATE, Service, ram_action, service, services};
