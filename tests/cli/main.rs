//! Integration tests: the real command line, run in process against the fixtures.

mod behaviour;
mod formats;
mod gate;
mod generated;
mod grants;
mod hostile;
mod iac;
mod integrations;
mod network;
mod parsers;
mod properties;
mod real;
mod requests;
mod rules;
mod support;
