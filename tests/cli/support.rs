//! Running the command line in process and reading its output.

use std::path::{Path, PathBuf};

/// What one run of the command line produced.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Parses standard output as a JSON report.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Returns the rule ids of a JSON report's diagnostics, in order.
    pub fn rules(&self) -> Vec<String> {
        self.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Runs `ramlint` with `args` (without the program name) and empty standard input.
pub fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut input = stdin;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("ramlint").chain(args.iter().copied());
    let code = ramlint::cli::run(argv, &mut input, &mut stdout, &mut stderr);
    Output {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `ramlint check` on one rule fixture in the given format. An `args.txt` beside the
/// fixture adds arguments; `{file}` in it stands for the fixture, which is then not passed
/// as a path.
pub fn run_fixture(fixture: &Path, format: &str) -> Output {
    let dir = fixture.parent().unwrap();
    let path = relative(fixture);
    let extra = std::fs::read_to_string(dir.join("args.txt")).unwrap_or_default();
    let mut args: Vec<String> = vec![
        "check".into(),
        "--format".into(),
        format.into(),
        "--color".into(),
        "never".into(),
    ];
    let mut placed = false;
    for word in extra.split_whitespace() {
        if word.contains("{file}") {
            placed = true;
            args.push(word.replace("{file}", &path));
        } else {
            args.push(word.to_string());
        }
    }
    if !placed {
        args.push(path);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

/// Lists every rule fixture (`fail*` and `pass*` files under `fixtures/rules/`) and every
/// real policy under `fixtures/real/`, sorted.
pub fn all_fixtures() -> Vec<PathBuf> {
    let mut fixtures = Vec::new();
    for rule_dir in files_in(&root().join("fixtures/rules")) {
        for file in files_in(&rule_dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("fail") || name.starts_with("pass") {
                fixtures.push(file);
            }
        }
    }
    for file in files_in(&root().join("fixtures/real")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name != "SOURCES.tsv" && name != "README.md" {
            fixtures.push(file);
        }
    }
    fixtures
}

/// The crate root; tests run with it as the current folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lists the files of a folder, sorted, skipping hidden ones.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| !path.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
}

/// Makes a path relative to the crate root, with `/` separators.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A temporary folder removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("ramlint-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
