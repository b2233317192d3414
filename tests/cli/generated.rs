//! The committed data under `rules/` is exactly what the generator produces from its inputs.

use crate::support::root;

#[test]
fn generated_data_is_current() {
    let outputs = ramlint::generate::outputs(&root()).expect("the generator runs");
    for output in outputs {
        let committed = std::fs::read_to_string(root().join(&output.path)).unwrap_or_else(|e| {
            panic!(
                "{} is missing ({e}); run scripts/generate-data",
                output.path.display()
            )
        });
        assert!(
            committed == output.contents,
            "{} differs from the generator's output; run scripts/generate-data and commit the result",
            output.path.display()
        );
    }
}

#[test]
fn generator_is_deterministic() {
    let first = ramlint::generate::outputs(&root()).unwrap();
    let second = ramlint::generate::outputs(&root()).unwrap();
    assert_eq!(first, second);
}
