//! Rules about reading a file: whether it can be read, its size and its encoding.

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::source::{DecodeError, Span};

declare_rule! {
    /// ## What it checks
    /// That a file is UTF-8 text. UTF-16 and UTF-32 files (with or without a byte-order
    /// mark) are named as such; for other bytes that are not UTF-8 the diagnostic points at
    /// the first invalid byte. A UTF-8 byte-order mark is accepted.
    ///
    /// ## Why it matters
    /// RAM accepts policy documents as UTF-8 JSON (RFC 8259 requires UTF-8 between systems).
    /// Windows editors often save JSON as UTF-16, and a checker that skips such a file
    /// silently would report success for a policy it never read.
    ///
    /// ## Example
    /// A policy saved by a Windows editor as "Unicode" starts with the bytes `FF FE`.
    ///
    /// ## Use instead
    /// Save the file as UTF-8, for example with `iconv -f UTF-16 -t UTF-8 in.json > out.json`.
    ///
    /// ## Known problems
    /// UTF-16 and UTF-32 without a byte-order mark are recognised by the NUL bytes in their
    /// first four bytes, which works for JSON because it starts with an ASCII character.
    pub static INVALID_ENCODING = ("invalid-encoding", Error, "the file is not UTF-8 text");
}

declare_rule! {
    /// ## What it checks
    /// That every file and folder named or found can be read. A missing path, a file without
    /// read permission, a FIFO or device named on the command line, and a folder that cannot
    /// be listed are each reported with the operating system's reason.
    ///
    /// ## Why it matters
    /// A CI gate that skips what it cannot read would pass a policy nobody checked. The scan
    /// goes on with the other files, and the exit code is 2 so that the run is not mistaken
    /// for a clean one.
    ///
    /// ## Example
    /// `ramlint check policies/missing.json` when the file does not exist.
    ///
    /// ## Use instead
    /// Fix the path or the file's permissions.
    ///
    /// ## Known problems
    /// None known.
    pub static IO_ERROR = ("io-error", Error, "a file or folder could not be read");
}

declare_rule! {
    /// ## What it checks
    /// That a file is no larger than the size cap (16 MiB by default; `max-file-size` in
    /// `ramlint.toml` or `--max-file-size` changes it). Larger files are reported and not
    /// read.
    ///
    /// ## Why it matters
    /// A RAM policy is at most 6,144 characters, so a multi-megabyte file is almost always a
    /// data dump, a build artefact or a mistake. Reading it would cost memory and time on
    /// every run, and skipping it silently would hide it.
    ///
    /// ## Example
    /// A 200 MB `export.json` in the scanned folder.
    ///
    /// ## Use instead
    /// Exclude the file with `exclude` in `ramlint.toml`, or raise the cap if it really must
    /// be checked.
    ///
    /// ## Known problems
    /// None known.
    pub static FILE_TOO_LARGE = ("file-too-large", Error, "a file is larger than the size cap and was not read");
}

declare_rule! {
    /// ## What it checks
    /// That `ramlint.toml` is valid: TOML syntax, known keys only, known rule ids in
    /// `[rules]` and `[[ignore]]`, valid values, and a `reason` in every `[[ignore]]` entry.
    /// The offending text is underlined in the configuration file and the run stops with
    /// exit code 2.
    ///
    /// ## Why it matters
    /// A misspelled key (`excludes`, `fail_on`) would otherwise be ignored, and the gate
    /// would run with settings nobody chose.
    ///
    /// ## Example
    /// ```toml
    /// fail_on = "warning"
    /// ```
    ///
    /// ## Use instead
    /// ```toml
    /// fail-on = "warning"
    /// ```
    ///
    /// ## Known problems
    /// Only the first error in the file is reported.
    pub static INVALID_CONFIG = ("invalid-config", Error, "ramlint.toml has an error; the run stops with exit code 2");
}

/// Builds the diagnostic for bytes that are not UTF-8. `text_len` is the file's size.
pub fn encoding_diagnostic(file: FileId, error: &DecodeError, text_len: usize) -> Diagnostic {
    match error {
        DecodeError::Foreign { encoding, bom } => {
            let how = if *bom {
                "starts with a byte-order mark"
            } else {
                "has the NUL-byte pattern"
            };
            Diagnostic::whole_file(
                &INVALID_ENCODING,
                file,
                format!(
                    "the file is encoded as {} (it {how} of that encoding); ramlint reads UTF-8 only",
                    encoding.name()
                ),
            )
            .help(format!(
                "convert the file to UTF-8, for example with `iconv -f {} -t UTF-8`",
                encoding.name()
            ))
            .subject(encoding.name())
        }
        DecodeError::InvalidUtf8 { offset, len } => {
            let end = (*offset + (*len).max(1)).min(text_len);
            let message = if *len == 0 {
                format!("the file ends inside a UTF-8 sequence at byte {offset}")
            } else {
                format!("byte {offset} is not valid UTF-8")
            };
            // The span covers only bytes, not text; the renderer shows the valid part of the
            // line and the position.
            Diagnostic::new(&INVALID_ENCODING, file, Span::from_range(*offset, end), message)
                .help("save the file as UTF-8; a file in a legacy code page such as GBK or Latin-1 must be converted")
                .subject("invalid-utf8")
        }
    }
}

/// Builds the diagnostic for a file that could not be read.
pub fn io_diagnostic(file: FileId, what: &str, error: &std::io::Error) -> Diagnostic {
    Diagnostic::whole_file(&IO_ERROR, file, format!("cannot read {what}: {error}"))
        .subject(format!("{:?}", error.kind()))
}

/// Builds the diagnostic for a file over the size cap.
pub fn too_large_diagnostic(file: FileId, size: u64, cap: u64) -> Diagnostic {
    let readable_size = human_size(size);
    // Below 1 KiB the readable size is already in bytes.
    let exact = if size < 1024 {
        String::new()
    } else {
        format!(" ({size} bytes)")
    };
    Diagnostic::whole_file(
        &FILE_TOO_LARGE,
        file,
        format!(
            "the file is {readable_size}{exact}, larger than the {} cap; it was not read",
            human_size(cap)
        ),
    )
    .help("exclude the file, or raise the cap with `--max-file-size` or `max-file-size` in ramlint.toml")
    .subject("too-large")
}

/// Formats a byte count in binary units, such as `16 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::{human_size, too_large_diagnostic};
    use crate::diagnostic::FileId;

    #[test]
    fn too_large_message_gives_bytes_once() {
        let small = too_large_diagnostic(FileId(0), 154, 100);
        assert_eq!(
            small.message,
            "the file is 154 bytes, larger than the 100 bytes cap; it was not read"
        );
        let large = too_large_diagnostic(FileId(0), 2048, 1024);
        assert_eq!(
            large.message,
            "the file is 2 KiB (2048 bytes), larger than the 1 KiB cap; it was not read"
        );
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(human_size(16 * 1024 * 1024), "16 MiB");
        assert_eq!(human_size(200_000_000), "190.7 MiB");
        assert_eq!(human_size(12), "12 bytes");
    }
}
