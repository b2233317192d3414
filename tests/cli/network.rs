//! ramlint never touches the network: no HTTP or TLS code is compiled in, and a scan inside a
//! network namespace with no interface gives the same output as outside it.

use std::process::Command;

use crate::support::{root, run};

/// Crates whose presence would mean network code is compiled in.
const NETWORK_CRATES: &[&str] = &[
    "reqwest",
    "hyper",
    "h2",
    "http",
    "ureq",
    "curl",
    "isahc",
    "surf",
    "attohttpc",
    "rustls",
    "native-tls",
    "openssl",
    "openssl-sys",
    "tokio",
    "async-std",
    "mio",
    "ring",
    "aws-lc-rs",
    "aws-lc-sys",
    "socket2",
];

#[test]
fn dependency_tree_has_no_network_crates() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(root())
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(names.contains(&"serde_json"), "the tree was read: {tree}");
    for name in NETWORK_CRATES {
        assert!(
            !names.contains(name),
            "`{name}` is in the dependency tree:\n{tree}"
        );
    }
}

#[test]
fn scan_without_network_gives_the_same_output() {
    let probe = Command::new("unshare").args(["-n", "true"]).status();
    if !probe.is_ok_and(|status| status.success()) {
        eprintln!("skipped: `unshare -n` is not available or not permitted on this machine");
        return;
    }
    let binary = env!("CARGO_BIN_EXE_ramlint");
    let isolated = Command::new("unshare")
        .args(["-n", binary, "check", "--format", "json", "fixtures"])
        .current_dir(root())
        .output()
        .expect("unshare runs");
    let in_process = run(&["check", "--format", "json", "fixtures"]);
    assert_eq!(
        String::from_utf8(isolated.stdout).unwrap(),
        in_process.stdout
    );
    assert_eq!(isolated.status.code(), Some(in_process.code));
}
