//! ramlint: a static checker for Alibaba Cloud RAM policies and stored API requests.
//!
//! The pipeline runs in stages, each in its own module: [`discover`] finds files, [`source`]
//! loads them as UTF-8 text, [`syntax`] parses them into span-carrying trees, [`document`]
//! recognises policies, [`checks`] report diagnostics, [`suppress`] and [`baseline`] remove
//! the accepted ones, and [`report`] renders them. The [`engine`] runs the stages over a scan
//! and [`cli`] is the command line. [`eval`] decides whether a set of policies allows a
//! request, for `--require` and `ramlint simulate`.

pub mod baseline;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod document;
pub mod engine;
pub mod eval;
pub mod fingerprint;
pub mod generate;
pub mod grants;
pub mod report;
pub mod rules;
pub mod settings;
pub mod simulate;
pub mod source;
pub mod suppress;
pub mod syntax;
