//! The least any JSON linter must do, as a baseline for ramlint's speed: walk the same files
//! ramlint walks, read each one, and parse it with serde_json into `IgnoredAny`, on the same
//! number of threads. Files that are not JSON fail to parse quickly, as they would for any
//! JSON-only tool.
//!
//!     cargo run --release --example floor -- [--jobs N] PATH...

use rayon::prelude::*;
use serde::de::IgnoredAny;

fn main() {
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--jobs" {
            jobs = args
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--jobs takes a number");
        } else {
            paths.push(std::path::PathBuf::from(arg));
        }
    }
    let options = ramlint::discover::DiscoverOptions {
        excludes: ramlint::discover::Excludes::default(),
        force_exclude: false,
        skip_unrecognised: false,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("thread pool");
    let (files, parsed, bytes) = pool.install(|| {
        let targets = ramlint::discover::discover(&paths, &options, jobs).targets;
        let results: Vec<(bool, usize)> = targets
            .par_iter()
            .map(|target| match std::fs::read(&target.path) {
                Ok(data) => (
                    serde_json::from_slice::<IgnoredAny>(&data).is_ok(),
                    data.len(),
                ),
                Err(_) => (false, 0),
            })
            .collect();
        let parsed = results.iter().filter(|(ok, _)| *ok).count();
        let bytes: usize = results.iter().map(|(_, len)| len).sum();
        (results.len(), parsed, bytes)
    });
    println!("{files} files, {parsed} parsed as JSON, {bytes} bytes");
}
