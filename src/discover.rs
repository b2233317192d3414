//! Turning the paths given on the command line into the list of files to check.
//!
//! A file named explicitly is always checked, whatever its extension. A folder is walked
//! honouring `.gitignore` and `.ignore` files inside it and the `exclude` globs, and only
//! files with a recognised extension are taken. Symbolic links met during a walk are not
//! followed, so a scan never leaves the folders it was given; a link named explicitly is
//! read like any other file. Ignore files above the given folders and the user's global git
//! excludes are not read, for the same reason.

use std::io;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// How a file came to be checked, which decides how quietly unrecognised content is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Named on the command line.
    Explicit,
    /// Found while walking a folder, or named on the command line with `--skip-unrecognised`.
    Walked,
    /// Read from standard input (`-`).
    Stdin,
}

/// A file to check.
#[derive(Clone, Debug)]
pub struct Target {
    pub path: PathBuf,
    /// The path as printed: relative to the current folder when under it, `-` for stdin.
    pub display: String,
    pub origin: Origin,
    /// True for a file named with `--inventory`, which must be a bucket inventory.
    pub inventory: bool,
}

/// A path that could not be used, with the reason.
#[derive(Debug)]
pub struct DiscoveryError {
    pub display: String,
    pub error: io::Error,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub targets: Vec<Target>,
    pub errors: Vec<DiscoveryError>,
}

/// Extensions taken during a folder walk.
pub const WALK_EXTENSIONS: &[&str] = &[
    "json", "policy", "txt", "url", "http", "sh", "bash", "md", "markdown", "xml", "tf", "yaml",
    "yml",
];

/// Compiled `exclude` globs, each set matched against paths relative to its base folder (the
/// folder of `ramlint.toml` for the configuration's globs, the current folder for
/// `--exclude`).
#[derive(Clone, Debug, Default)]
pub struct Excludes {
    sets: Vec<(GlobSet, PathBuf)>,
}

impl Excludes {
    /// Adds gitignore-style globs relative to `base`: a pattern without `/` matches at any
    /// depth, `*` stays within one path segment and `**` crosses segments.
    pub fn add(&mut self, patterns: &[String], base: &Path) -> Result<(), String> {
        if patterns.is_empty() {
            return Ok(());
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            if let Some((message, help)) = unreachable_glob(pattern, base) {
                return Err(format!("invalid exclude glob: {message}\nhelp: {help}"));
            }
            add_path_glob(&mut builder, pattern)
                .map_err(|err| format!("invalid exclude glob `{pattern}`: {err}"))?;
        }
        let set = builder
            .build()
            .map_err(|err| format!("invalid exclude globs: {err}"))?;
        self.sets.push((set, absolute(base)));
        Ok(())
    }

    /// Tells whether `path` matches a glob. A path outside a set's base folder is matched
    /// relative to `root`, the folder being walked, so that `vendor/**` also works for a
    /// scan of another repository.
    pub fn is_excluded(&self, path: &Path, root: &Path) -> bool {
        if self.sets.is_empty() {
            return false;
        }
        let absolute = absolute(path);
        self.sets.iter().any(|(set, base)| {
            let relative = absolute
                .strip_prefix(base)
                .or_else(|_| path.strip_prefix(root))
                .unwrap_or(path);
            set.is_match(relative)
        })
    }
}

/// Returns why a path glob from a configuration can never match, as a message and a help
/// text. Globs are relative to `base`, so a `..` component leads out of the folder they
/// match in, and an absolute path into `base` (or to a file elsewhere) would be read as a
/// pattern anchored at `base`, which matches nothing.
pub fn unreachable_glob(pattern: &str, base: &Path) -> Option<(String, String)> {
    let path = Path::new(pattern);
    if path
        .components()
        .any(|component| component == std::path::Component::ParentDir)
    {
        return Some((
            format!("`{pattern}` leads out of the folder it is relative to, so it matches nothing"),
            "paths and globs match files inside the folder of the configuration only; move the entry to a configuration in a folder above".to_string(),
        ));
    }
    if !pattern.starts_with('/') {
        return None;
    }
    let base = if base.as_os_str().is_empty() {
        absolute(Path::new("."))
    } else {
        absolute(base)
    };
    if let Ok(inside) = path.strip_prefix(&base) {
        return Some((
            format!("`{pattern}` is an absolute path, so it matches nothing"),
            format!(
                "write it relative to {}: `{}`",
                display_path(&base),
                inside.display()
            ),
        ));
    }
    // A leading `/` anchors a pattern at `base`, as in `.gitignore`. A pattern that names an
    // existing path only when read as absolute was meant as one.
    let anchored = base.join(pattern.trim_start_matches('/'));
    if path.exists() && !anchored.exists() {
        return Some((
            format!("`{pattern}` is an absolute path outside {}, so it matches nothing", display_path(&base)),
            "a leading `/` anchors a pattern at the folder of the configuration; name files inside that folder".to_string(),
        ));
    }
    None
}

/// Adds a gitignore-style path glob to `builder`: a pattern without `/` matches at any depth,
/// `*` stays within one path segment, `**` crosses segments, and a pattern that names a
/// folder also matches everything under it.
pub fn add_path_glob(builder: &mut GlobSetBuilder, pattern: &str) -> Result<(), globset::Error> {
    let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
    let full = if trimmed.contains('/') {
        trimmed.trim_start_matches('/').to_string()
    } else {
        format!("**/{trimmed}")
    };
    for variant in [full.clone(), format!("{full}/**")] {
        builder.add(GlobBuilder::new(&variant).literal_separator(true).build()?);
    }
    Ok(())
}

#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    pub excludes: Excludes,
    /// Applies `exclude` to explicitly named files too, as a pre-commit hook wants.
    pub force_exclude: bool,
    /// Treats explicitly named files like files found in a walk, so that one that does not
    /// look like a policy is skipped quietly instead of reported. A pre-commit hook needs
    /// this because it names every changed JSON file, policy or not.
    pub skip_unrecognised: bool,
}

/// Finds the files to check under `paths`, sorted by display path, walking folders on
/// `threads` threads.
pub fn discover(paths: &[PathBuf], options: &DiscoverOptions, threads: usize) -> Discovery {
    let mut discovery = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            discovery.targets.push(Target {
                path: path.clone(),
                display: "-".to_string(),
                origin: Origin::Stdin,
                inventory: false,
            });
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, options, threads, &mut discovery),
            Ok(_) => {
                if options.force_exclude && options.excludes.is_excluded(path, Path::new("")) {
                    continue;
                }
                let origin = if options.skip_unrecognised {
                    Origin::Walked
                } else {
                    Origin::Explicit
                };
                discovery.targets.push(Target {
                    path: path.clone(),
                    display: display_path(path),
                    origin,
                    inventory: false,
                });
            }
            Err(error) => {
                // `metadata` follows links, so a dangling link looks like a missing path.
                let dangling = error.kind() == io::ErrorKind::NotFound
                    && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
                let error = if dangling {
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        "it is a symbolic link whose target does not exist",
                    )
                } else {
                    error
                };
                discovery.errors.push(DiscoveryError {
                    display: display_path(path),
                    error,
                })
            }
        }
    }
    discovery.targets.sort_by(|a, b| a.display.cmp(&b.display));
    discovery
        .targets
        .dedup_by(|a, b| a.display == b.display && a.origin == b.origin);
    discovery
}

/// Walks a folder on `threads` threads, since listing folders and reading ignore files is I/O
/// that overlaps well. The order of the results does not matter: the caller sorts them.
fn walk(root: &Path, options: &DiscoverOptions, threads: usize, discovery: &mut Discovery) {
    let excludes = options.excludes.clone();
    let walk_root = root.to_path_buf();
    let cwd = std::env::current_dir().ok();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(false)
        .git_global(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .ignore(true)
        .follow_links(false)
        .threads(threads.max(1))
        .filter_entry(move |entry| {
            let is_vcs = entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && matches!(entry.file_name().to_str(), Some(".git" | ".hg" | ".svn"));
            !is_vcs && !excludes.is_excluded(entry.path(), &walk_root)
        })
        .build_parallel();
    let found = std::sync::Mutex::new(Vec::new());
    let errors = std::sync::Mutex::new(Vec::new());
    walker.run(|| {
        let (found, errors, cwd) = (&found, &errors, cwd.as_deref());
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let wanted = entry
                        .path()
                        .extension()
                        .and_then(|ext| ext.to_str())
                        .is_some_and(|ext| {
                            WALK_EXTENSIONS.iter().any(|w| ext.eq_ignore_ascii_case(w))
                        });
                    if is_file && wanted {
                        let target = Target {
                            path: entry.path().to_path_buf(),
                            display: display_path_from(cwd, entry.path()),
                            origin: Origin::Walked,
                            inventory: false,
                        };
                        found.lock().expect("no walker thread panics").push(target);
                    }
                }
                Err(error) => {
                    let display = error_path(&error).map_or_else(
                        || display_path_from(cwd, root),
                        |p| display_path_from(cwd, &p),
                    );
                    let error = match error.into_io_error() {
                        Some(io) => io,
                        None => io::Error::other("the folder could not be walked"),
                    };
                    errors
                        .lock()
                        .expect("no walker thread panics")
                        .push(DiscoveryError { display, error });
                }
            }
            ignore::WalkState::Continue
        })
    });
    discovery
        .targets
        .extend(found.into_inner().expect("no walker thread panics"));
    let mut errors = errors.into_inner().expect("no walker thread panics");
    errors.sort_by(|a, b| a.display.cmp(&b.display));
    discovery.errors.extend(errors);
}

/// Finds the path an `ignore` error is about.
fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Formats a path for output: relative to the current folder when it is under it, with
/// `/` separators and no leading `./`.
pub fn display_path(path: &Path) -> String {
    display_path_from(std::env::current_dir().ok().as_deref(), path)
}

/// Formats a path written plainly, the usual case in a walk, by comparing text instead of
/// components. Returns `None` where components matter: `.` or `..`, repeated or trailing
/// separators, and text that is not UTF-8 or has a backslash.
fn plain_display_path(cwd: Option<&Path>, path: &Path) -> Option<String> {
    let text = path.to_str()?;
    // Byte searches, because on the short paths of a walk the string searches behind
    // `str::contains` and `str::split` cost more than the bytes they look at.
    let bytes = text.as_bytes();
    let body = bytes.strip_prefix(b"/").unwrap_or(bytes);
    let plain = !bytes.is_empty()
        && !bytes.ends_with(b"/")
        && !bytes.contains(&b'\\')
        && body
            .split(|&byte| byte == b'/')
            .all(|part| !matches!(part, b"" | b"." | b".."));
    if !plain {
        return None;
    }
    if !path.is_absolute() {
        // Relative to the current folder already, which is how it would be shown.
        return cwd.map(|_| text.to_string());
    }
    let cwd = cwd?.to_str()?;
    if cwd.ends_with('/') || cwd.contains("//") {
        return None;
    }
    match text
        .strip_prefix(cwd)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(relative) => Some(relative.to_string()),
        None if text == cwd => None,
        None => Some(text.to_string()),
    }
}

/// Formats a path for output relative to `cwd`, the current folder read once per walk.
fn display_path_from(cwd: Option<&Path>, path: &Path) -> String {
    if let Some(shown) = plain_display_path(cwd, path) {
        return shown;
    }
    let shown = match cwd {
        Some(cwd) => {
            let absolute = absolute(path);
            match absolute.strip_prefix(cwd) {
                Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
                _ => path.to_path_buf(),
            }
        }
        None => path.to_path_buf(),
    };
    let text = shown.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text comparison returns what the component comparison returns, where it returns.
    #[test]
    fn plain_path_matches_component_path() {
        // Relative paths are made absolute with the process's folder, so only that folder
        // can stand for the current one when the path is relative.
        let current = std::env::current_dir().unwrap();
        let current = current.to_str().unwrap();
        let cwds = [current, "/work/repo", "/", "/work/repo/", "/work//repo"];
        let paths: [&str; 14] = [
            "policies/admin.json",
            "./policies/admin.json",
            "policies/./admin.json",
            "policies/../admin.json",
            "policies/",
            "policies//admin.json",
            "/work/repo/policies/admin.json",
            &format!("{current}/policies/admin.json"),
            "/work/repo",
            "/work/repository/admin.json",
            "/elsewhere/admin.json",
            "/work/repo/./admin.json",
            "admin.json",
            "a\\b.json",
        ];
        let mut returned = 0;
        for cwd in cwds {
            for path in paths {
                let (cwd, path) = (Path::new(cwd), Path::new(path));
                if path.is_relative() && cwd != Path::new(current) {
                    continue;
                }
                let slow = {
                    let absolute = absolute(path);
                    let shown = match absolute.strip_prefix(cwd) {
                        Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
                        _ => path.to_path_buf(),
                    };
                    let text = shown.to_string_lossy().replace('\\', "/");
                    text.trim_start_matches("./").to_string()
                };
                if let Some(fast) = plain_display_path(Some(cwd), path) {
                    returned += 1;
                    assert_eq!(fast, slow, "cwd {cwd:?}, path {path:?}");
                }
                assert_eq!(display_path_from(Some(cwd), path), slow);
            }
        }
        assert!(
            returned >= 8,
            "the text comparison returned only {returned} times"
        );
    }
}
