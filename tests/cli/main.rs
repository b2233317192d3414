//! Integration tests: the real command line, run in process against the fixtures.

mod behaviour;
mod generated;
mod parsers;
mod real;
mod requests;
mod rules;
mod support;
