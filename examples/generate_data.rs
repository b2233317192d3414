//! Regenerates the generated files: the data under `rules/` from the upstream metadata
//! copies, `docs/rules.md` and `ramlint.schema.json`.
//!
//! Run it from the crate root with `scripts/generate-data`.

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    match ramlint::generate::write_all(root) {
        Ok(paths) => {
            for path in paths {
                println!("wrote {}", path.display());
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }
}
