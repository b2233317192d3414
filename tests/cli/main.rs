//! Integration tests: the real command line, run in process against the fixtures.

mod behaviour;
mod data_files;
mod formats;
mod gate;
mod generated;
mod grants;
mod hostile;
mod iac;
mod integrations;
mod network;
mod operations;
mod parsers;
mod properties;
mod real;
mod regressions;
mod requests;
mod rules;
mod support;
mod untrusted;
