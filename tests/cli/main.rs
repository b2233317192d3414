//! Integration tests: the real command line, run in process against the fixtures.

mod behaviour;
mod formats;
mod generated;
mod real;
mod rules;
mod support;
