//! Integration tests: the real command line, run in process against the fixtures.

mod behaviour;
mod generated;
mod grants;
mod real;
mod rules;
mod support;
