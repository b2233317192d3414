//! The whole check of one file read from standard input: never a panic, exit code at most 2,
//! valid JSON output, and no raw control characters in the text output.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in ["json", "text"] {
        let mut input = data;
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let args = [
            "ramlint",
            "check",
            "--jobs",
            "1",
            "--allow-empty",
            "--format",
            format,
            "-",
        ];
        let code = ramlint::cli::run(args, &mut input, &mut stdout, &mut stderr);
        assert!((0..=2).contains(&code));
        let output = String::from_utf8(stdout).expect("output is UTF-8");
        if format == "json" {
            serde_json::from_str::<serde_json::Value>(&output).expect("the JSON report parses");
        } else {
            assert!(!output.contains('\u{1b}'), "raw escape in text output");
        }
    }
});
