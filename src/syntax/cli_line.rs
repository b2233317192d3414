//! `aliyun` CLI calls in shell text: `aliyun ens ExportImage --ImageId m-1 --OSSBucket b`.
//!
//! The text is split into words the way a POSIX shell does: single and double quotes,
//! backslash escapes, `\` line continuations, and `#` comments. Commands end at a new line,
//! `;`, `&`, `|` or a parenthesis. A word that contains a parameter expansion or command
//! substitution (`$BUCKET`, `${BUCKET}`, `$(...)`, `` `...` ``) has a value known only when
//! the script runs. Calls inside `$(...)` and backticks are found too. Heredocs and `case`
//! patterns are read as ordinary words.
//!
//! After `aliyun <product> <Operation>`, `--Name value` and `--Name=value` are API
//! parameters. Options of the CLI itself are written in lower case (`--region`,
//! `--profile`, `--output cols=A rows=B`) and are kept apart: they take every word up to the
//! next `--`.

use std::borrow::Cow;

use super::tree::{Member, Node, Value};
use crate::source::Span;

/// The nesting depth of `$(...)` inside `$(...)` searched for calls.
const MAX_SUBSTITUTION_DEPTH: u32 = 8;

/// Programs that run the command given after them, such as `sudo aliyun ...`.
const WRAPPERS: &[&str] = &["sudo", "env", "exec", "command", "time", "nohup"];

/// CLI options that take no value, so the word after them is not theirs.
const FLAG_OPTIONS: &[&str] = &[
    "force",
    "dryrun",
    "quiet",
    "insecure",
    "secure",
    "skip-secure-verify",
    "help",
];

/// One shell word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word as written, quotes included.
    pub span: Span,
    /// The word after quote removal and escapes. Expansions are kept as written.
    pub text: String,
    /// `(byte index in text, offset in the file)` where a run of characters copied from
    /// consecutive bytes of the file starts. Quotes and escapes start a new run.
    runs: Vec<(u32, u32)>,
    /// The spans of expansions and substitutions, as written.
    pub expansions: Vec<Span>,
}

impl Word {
    /// Returns the offset in the file of the character at byte `index` of `text`, or the
    /// word's end when `index` is past the last character.
    fn raw_offset(&self, index: usize) -> u32 {
        if index >= self.text.len() || !self.text.is_char_boundary(index) {
            return self.span.end;
        }
        let run = self
            .runs
            .partition_point(|(start, _)| *start as usize <= index);
        match run.checked_sub(1).map(|run| self.runs[run]) {
            Some((text_start, file_start)) => file_start + (index as u32 - text_start),
            None => self.span.end,
        }
    }

    fn is_unknown_from(&self, offset: u32) -> bool {
        self.expansions.iter().any(|e| e.end > offset)
    }
}

/// An `aliyun` call.
#[derive(Clone, Debug, PartialEq)]
pub struct CliCommand<'a> {
    /// From `aliyun` to the end of the last word.
    pub span: Span,
    /// The word after `aliyun`, such as `ens`.
    pub product: Option<Word>,
    /// The word after the product, such as `ExportImage`.
    pub operation: Option<Word>,
    /// Options of the CLI (`--version 2017-11-10`), by name without dashes, with their values.
    pub options: Vec<(String, Vec<Word>)>,
    /// The API parameters, as an object whose members keep the spans of `--Name` and of the
    /// value as written.
    pub params: Node<'a>,
}

impl CliCommand<'_> {
    /// Returns the first value of a CLI option such as `version`.
    pub fn option(&self, name: &str) -> Option<&Word> {
        self.options
            .iter()
            .find(|(option, _)| option == name)
            .and_then(|(_, values)| values.first())
    }
}

/// Finds every `aliyun` call in `text`, which starts at byte `base` of its file.
pub fn find_commands(text: &str, base: u32) -> Vec<CliCommand<'static>> {
    let mut commands = Vec::new();
    collect(text, 0, text.len(), base, 0, &mut commands);
    commands.sort_by_key(|c| c.span.start);
    commands
}

fn collect(
    text: &str,
    start: usize,
    end: usize,
    base: u32,
    depth: u32,
    out: &mut Vec<CliCommand<'static>>,
) {
    let mut tokenizer = Tokenizer {
        text,
        bytes: text.as_bytes(),
        pos: start,
        end,
        substitutions: Vec::new(),
    };
    let tokens = tokenizer.run();
    let mut words: Vec<Word> = Vec::new();
    let mut skip_next = false;
    for token in tokens {
        match token {
            Token::Word(word) => {
                if skip_next {
                    skip_next = false;
                } else {
                    words.push(word);
                }
            }
            Token::Redirect => skip_next = true,
            Token::Separator => {
                skip_next = false;
                if let Some(command) = command_from(std::mem::take(&mut words), base) {
                    out.push(command);
                }
            }
        }
    }
    if let Some(command) = command_from(words, base) {
        out.push(command);
    }
    if depth < MAX_SUBSTITUTION_DEPTH {
        for (inner_start, inner_end) in tokenizer.substitutions {
            collect(text, inner_start, inner_end, base, depth + 1, out);
        }
    }
}

/// Builds a call from the words of one simple command, when it runs `aliyun`.
fn command_from(words: Vec<Word>, base: u32) -> Option<CliCommand<'static>> {
    let mut index = 0;
    // A `$ ` or `% ` prompt copied from documentation, variable assignments and wrappers.
    if words
        .first()
        .is_some_and(|w| w.text == "$" || w.text == "%")
    {
        index += 1;
    }
    while let Some(word) = words.get(index) {
        if is_assignment(&word.text) || WRAPPERS.contains(&word.text.as_str()) {
            index += 1;
        } else {
            break;
        }
    }
    let program = words.get(index)?;
    if program.text != "aliyun" && !program.text.ends_with("/aliyun") {
        return None;
    }
    let start = program.span.start;
    let program_end = program.span.end;
    let mut rest = words.into_iter().skip(index + 1).peekable();
    let mut options: Vec<(String, Vec<Word>)> = Vec::new();

    // Options may come before the product; there each takes at most one value.
    let mut product = None;
    while let Some(word) = rest.next() {
        if let Some(name) = word.text.strip_prefix("--") {
            let (name, inline) = split_option(name);
            let mut values = Vec::new();
            if inline.is_none()
                && !FLAG_OPTIONS.contains(&name.as_str())
                && let Some(value) = rest.next_if(|w| !w.text.starts_with("--"))
            {
                values.push(value);
            }
            options.push((name, values));
            continue;
        }
        product = Some(word);
        break;
    }
    let operation = if product.is_some() {
        rest.next_if(|w| !w.text.starts_with("--"))
    } else {
        None
    };

    let mut members = Vec::new();
    let mut end = operation
        .as_ref()
        .or(product.as_ref())
        .map_or(program_end, |w| w.span.end);
    let rest: Vec<Word> = rest.collect();
    let mut i = 0;
    while i < rest.len() {
        let word = &rest[i];
        end = end.max(word.span.end);
        i += 1;
        let Some(name) = word.text.strip_prefix("--") else {
            // A stray word, which the CLI would reject; it is not a parameter.
            continue;
        };
        if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            let (option, inline) = split_option(name);
            let mut values = Vec::new();
            if inline.is_none() {
                while i < rest.len() && !rest[i].text.starts_with("--") {
                    end = end.max(rest[i].span.end);
                    values.push(rest[i].clone());
                    i += 1;
                }
            }
            options.push((option, values));
            continue;
        }
        if name.is_empty() {
            continue;
        }
        let member = match name.find('=') {
            Some(eq) => {
                let eq_offset = word.raw_offset(2 + eq);
                let value_start = eq_offset + 1;
                let value_text = &name[eq + 1..];
                Member {
                    key: Cow::Owned(name[..eq].to_string()),
                    key_span: Span::new(word.span.start, eq_offset),
                    value: value_node(word, value_start, value_text),
                }
            }
            None => {
                let value = match rest.get(i) {
                    Some(next) if !next.text.starts_with("--") => {
                        i += 1;
                        end = end.max(next.span.end);
                        value_node(next, next.span.start, &next.text)
                    }
                    _ => Node::new(
                        Span::new(word.span.end, word.span.end),
                        Value::String(Cow::Borrowed("")),
                    ),
                };
                Member {
                    key: Cow::Owned(name.to_string()),
                    key_span: word.span,
                    value,
                }
            }
        };
        members.push(member);
    }

    let shift = |span: Span| span.shifted(base);
    let span = shift(Span::new(start, end));
    let members = members
        .into_iter()
        .map(|member| Member {
            key: member.key,
            key_span: shift(member.key_span),
            value: Node::new(shift(member.value.span), member.value.value),
        })
        .collect();
    let shift_word = |mut word: Word| {
        word.span = shift(word.span);
        for expansion in &mut word.expansions {
            *expansion = shift(*expansion);
        }
        word
    };
    Some(CliCommand {
        span,
        product: product.map(shift_word),
        operation: operation.map(shift_word),
        options: options
            .into_iter()
            .map(|(name, values)| (name, values.into_iter().map(shift_word).collect()))
            .collect(),
        params: Node::new(span, Value::Object(members)),
    })
}

/// Builds the value of a parameter from the part of `word` that starts at `start` in the
/// file, whose decoded text is `text`.
fn value_node(word: &Word, start: u32, text: &str) -> Node<'static> {
    let span = Span::new(start, word.span.end);
    if word.is_unknown_from(start) {
        Node::new(
            span,
            Value::Unknown {
                reason: Cow::Owned(text.to_string()),
            },
        )
    } else {
        Node::new(span, Value::String(Cow::Owned(text.to_string())))
    }
}

fn split_option(name: &str) -> (String, Option<String>) {
    match name.split_once('=') {
        Some((name, value)) => (name.to_string(), Some(value.to_string())),
        None => (name.to_string(), None),
    }
}

fn is_assignment(text: &str) -> bool {
    let Some((name, _)) = text.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

enum Token {
    Word(Word),
    /// A new line, `;`, `&`, `|`, `(` or `)`: the end of a simple command.
    Separator,
    /// `<` or `>`: the next word is a file name, not an argument.
    Redirect,
}

struct Tokenizer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    end: usize,
    /// The insides of `$(...)` and backticks, searched for calls afterwards.
    substitutions: Vec<(usize, usize)>,
}

impl Tokenizer<'_> {
    fn run(&mut self) -> Vec<Token> {
        let mut tokens = Vec::new();
        while self.pos < self.end {
            match self.bytes[self.pos] {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.continues_line(self.pos) => self.skip_continuation(),
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                    tokens.push(Token::Separator);
                    self.pos += 1;
                }
                b'<' | b'>' => {
                    tokens.push(Token::Redirect);
                    while self.pos < self.end && matches!(self.bytes[self.pos], b'<' | b'>' | b'&')
                    {
                        self.pos += 1;
                    }
                }
                b'#' => {
                    while self.pos < self.end && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                _ => tokens.push(Token::Word(self.word())),
            }
        }
        tokens
    }

    /// Tells whether a backslash at `at` ends its line (`\` then LF or CR LF).
    fn continues_line(&self, at: usize) -> bool {
        let next = self.bytes.get(at + 1..self.end.max(at + 1)).unwrap_or(&[]);
        next.starts_with(b"\n") || next.starts_with(b"\r\n")
    }

    fn skip_continuation(&mut self) {
        self.pos += if self.bytes.get(self.pos + 1) == Some(&b'\r') {
            3
        } else {
            2
        };
    }

    fn word(&mut self) -> Word {
        let start = self.pos;
        let mut word = Word {
            span: Span::default(),
            text: String::new(),
            runs: Vec::new(),
            expansions: Vec::new(),
        };
        while self.pos < self.end {
            let byte = self.bytes[self.pos];
            match byte {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => {
                    break;
                }
                b'\\' if self.continues_line(self.pos) => self.skip_continuation(),
                b'\\' => {
                    let at = self.pos;
                    self.pos += 1;
                    if self.pos < self.end {
                        self.push_char_at(&mut word, at);
                    }
                }
                b'\'' => {
                    self.pos += 1;
                    let close = self.find_byte(self.pos, b'\'');
                    self.push_run(&mut word, close);
                    self.pos = (self.pos + 1).min(self.end);
                }
                b'"' => self.double_quoted(&mut word),
                b'$' | b'`' => self.expansion(&mut word),
                _ => {
                    let end = self.run_end(|byte| {
                        matches!(
                            byte,
                            b' ' | b'\t'
                                | b'\r'
                                | b'\n'
                                | b';'
                                | b'&'
                                | b'|'
                                | b'('
                                | b')'
                                | b'<'
                                | b'>'
                                | b'\\'
                                | b'\''
                                | b'"'
                                | b'$'
                                | b'`'
                        )
                    });
                    self.push_run(&mut word, end);
                }
            }
        }
        word.span = Span::from_range(start, self.pos);
        word
    }

    /// Reads a double-quoted part, where `\` escapes only `$`, `` ` ``, `"`, `\` and a new
    /// line, and expansions still happen.
    fn double_quoted(&mut self, word: &mut Word) {
        self.pos += 1;
        while self.pos < self.end {
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' if self.continues_line(self.pos) => self.skip_continuation(),
                b'\\'
                    if matches!(
                        self.bytes.get(self.pos + 1),
                        Some(b'$' | b'`' | b'"' | b'\\')
                    ) =>
                {
                    let at = self.pos;
                    self.pos += 1;
                    self.push_char_at(word, at);
                }
                b'$' | b'`' => self.expansion(word),
                _ => {
                    let end = self.run_end(|byte| matches!(byte, b'"' | b'\\' | b'$' | b'`'));
                    self.push_run(word, end);
                }
            }
        }
    }

    /// Reads `$NAME`, `${...}`, `$(...)` or `` `...` `` into the word as written and records
    /// it. A `$` that starts none of them is an ordinary character.
    fn expansion(&mut self, word: &mut Word) {
        let start = self.pos;
        let next = self.bytes.get(self.pos + 1).copied();
        let end = if self.bytes[start] == b'`' {
            let close = self.find_byte(start + 1, b'`');
            self.substitutions.push((start + 1, close));
            (close + 1).min(self.end)
        } else {
            match next {
                Some(b'(') => {
                    let close = self.find_closing(start + 2, b'(', b')');
                    self.substitutions.push((start + 2, close));
                    (close + 1).min(self.end)
                }
                Some(b'{') => (self.find_byte(start + 2, b'}') + 1).min(self.end),
                Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                    let mut end = start + 2;
                    while end < self.end
                        && (self.bytes[end].is_ascii_alphanumeric() || self.bytes[end] == b'_')
                    {
                        end += 1;
                    }
                    end
                }
                Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => start + 2,
                _ => {
                    self.push_char_at(word, start);
                    return;
                }
            }
        };
        self.push_run(word, end);
        word.expansions.push(Span::from_range(start, end));
    }

    fn find_byte(&self, from: usize, wanted: u8) -> usize {
        self.bytes[from.min(self.end)..self.end]
            .iter()
            .position(|&b| b == wanted)
            .map_or(self.end, |i| from + i)
    }

    /// Finds the `close` that matches an `open` already read, skipping quoted text.
    fn find_closing(&self, from: usize, open: u8, close: u8) -> usize {
        let mut depth = 1;
        let mut i = from;
        let mut quote: Option<u8> = None;
        while i < self.end {
            let byte = self.bytes[i];
            match quote {
                Some(q) if byte == q => quote = None,
                Some(_) => {}
                None if byte == b'\'' || byte == b'"' => quote = Some(byte),
                None if byte == open => depth += 1,
                None if byte == close => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                None => {}
            }
            i += 1;
        }
        self.end
    }

    /// Finds where the run that starts at `self.pos` ends: at the next later byte for which
    /// `stop` returns true, or at the end of the line.
    fn run_end(&self, stop: impl Fn(u8) -> bool) -> usize {
        let from = self.pos + 1;
        self.bytes[from.min(self.end)..self.end]
            .iter()
            .position(|&byte| stop(byte))
            .map_or(self.end, |i| from + i)
    }

    /// Appends the text from `self.pos` to `end` to the word, as written in the file, and
    /// moves past it. `end` must follow a whole character.
    fn push_run(&mut self, word: &mut Word, end: usize) {
        if end <= self.pos {
            return;
        }
        let index = word.text.len() as u32;
        let at = self.pos as u32;
        let continues = word
            .runs
            .last()
            .is_some_and(|&(text_start, file_start)| at == file_start + (index - text_start));
        if !continues {
            word.runs.push((index, at));
        }
        word.text.push_str(&self.text[self.pos..end]);
        self.pos = end;
    }

    /// Appends the character that starts at `self.pos` to the word, recording `at` as its
    /// place in the file, and moves past it.
    fn push_char_at(&mut self, word: &mut Word, at: usize) {
        let ch = self.text[self.pos..].chars().next().unwrap_or('\u{FFFD}');
        let index = word.text.len() as u32;
        let continues = word.runs.last().is_some_and(|&(text_start, file_start)| {
            at as u32 == file_start + (index - text_start)
        });
        if !continues {
            word.runs.push((index, at as u32));
        }
        word.text.push(ch);
        self.pos += ch.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(command: &CliCommand<'_>) -> Vec<(String, String)> {
        command
            .params
            .as_object()
            .unwrap()
            .iter()
            .map(|m| {
                let value = match &m.value.value {
                    Value::String(text) => text.to_string(),
                    Value::Unknown { reason } => format!("?{reason}"),
                    other => format!("{other:?}"),
                };
                (m.key.to_string(), value)
            })
            .collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn both_parameter_forms_and_quotes() {
        let text =
            "aliyun ens ExportImage --ImageId m-1 --OSSBucket='my bucket' --OSSPrefix \"a b\"\n";
        let commands = find_commands(text, 0);
        assert_eq!(commands.len(), 1);
        let command = &commands[0];
        assert_eq!(command.product.as_ref().unwrap().text, "ens");
        assert_eq!(command.operation.as_ref().unwrap().text, "ExportImage");
        assert_eq!(
            params(command),
            [
                ("ImageId".to_string(), "m-1".to_string()),
                ("OSSBucket".to_string(), "my bucket".to_string()),
                ("OSSPrefix".to_string(), "a b".to_string()),
            ]
        );
        let members = command.params.as_object().unwrap();
        assert_eq!(slice(text, members[1].key_span), "--OSSBucket");
        assert_eq!(slice(text, members[1].value.span), "'my bucket'");
        assert_eq!(slice(text, members[2].key_span), "--OSSPrefix");
        assert_eq!(slice(text, members[2].value.span), "\"a b\"");
        assert_eq!(slice(text, command.span), text.trim_end());
    }

    #[test]
    fn continuation_lines_and_comments() {
        let text = "# export\naliyun ens ExportImage \\\n  --ImageId m-1 \\\r\n  --OSSRegionId cn-beijing # trailing\necho done\n";
        let commands = find_commands(text, 100);
        assert_eq!(commands.len(), 1);
        let members = commands[0].params.as_object().unwrap();
        assert_eq!(members.len(), 2);
        let span = members[1].value.span;
        assert_eq!(
            &text[span.start as usize - 100..span.end as usize - 100],
            "cn-beijing"
        );
    }

    #[test]
    fn expansions_make_values_unknown() {
        let text = "BUCKET=b aliyun ens ExportImage --OSSBucket \"$BUCKET\" --ImageId \"${IMG}\" --OSSPrefix 'lit$x'";
        let commands = find_commands(text, 0);
        assert_eq!(
            params(&commands[0]),
            [
                ("OSSBucket".to_string(), "?$BUCKET".to_string()),
                ("ImageId".to_string(), "?${IMG}".to_string()),
                ("OSSPrefix".to_string(), "lit$x".to_string()),
            ]
        );
    }

    #[test]
    fn calls_inside_substitutions_are_found() {
        let text = "ID=$(aliyun ens ExportImage --ImageId m-1 | jq -r .RequestId)\necho `aliyun ens DescribeImages`";
        let commands = find_commands(text, 0);
        let names: Vec<&str> = commands
            .iter()
            .map(|c| c.operation.as_ref().unwrap().text.as_str())
            .collect();
        assert_eq!(names, ["ExportImage", "DescribeImages"]);
        assert_eq!(params(&commands[0]).len(), 1);
    }

    #[test]
    fn cli_options_are_kept_apart() {
        let text = "aliyun --profile prod ens ExportImage --version 2017-11-10 --force --output cols=A rows=B --ImageId m-1 > out.json";
        let commands = find_commands(text, 0);
        let command = &commands[0];
        assert_eq!(command.product.as_ref().unwrap().text, "ens");
        assert_eq!(command.option("version").unwrap().text, "2017-11-10");
        assert_eq!(command.option("profile").unwrap().text, "prod");
        assert_eq!(
            params(command),
            [("ImageId".to_string(), "m-1".to_string())]
        );
    }

    #[test]
    fn missing_value_is_empty_at_the_name() {
        let text = "aliyun ens ExportImage --OSSPrefix --ImageId m-1";
        let command = &find_commands(text, 0)[0];
        let members = command.params.as_object().unwrap();
        assert_eq!(members[0].value.as_str(), Some(""));
        assert_eq!(members[0].value.span, Span::new(34, 34));
    }

    #[test]
    fn other_programs_and_prose_are_ignored() {
        let text = "echo aliyun ens ExportImage\n$ aliyun ecs DescribeRegions\nsudo /usr/local/bin/aliyun ens ListBuckets";
        let commands = find_commands(text, 0);
        let products: Vec<&str> = commands
            .iter()
            .map(|c| c.product.as_ref().unwrap().text.as_str())
            .collect();
        assert_eq!(products, ["ecs", "ens"]);
    }

    #[test]
    fn unclosed_quotes_do_not_panic() {
        for text in [
            "aliyun ens X --A 'open",
            "aliyun ens X --A \"open $(",
            "aliyun ens X --A `",
            "aliyun ens X --A \\",
        ] {
            let _ = find_commands(text, 0);
        }
    }
}
