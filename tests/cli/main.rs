//! Integration tests: the real command line, run in process against the fixtures.

mod behaviour;
mod generated;
mod hostile;
mod network;
mod properties;
mod real;
mod rules;
mod support;
