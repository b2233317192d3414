//! Condition operators and the value types they compare, as RAM documents them.
//!
//! RAM documents five operator families: string, numeric, date and time, boolean, and IP
//! address. AWS IAM's `...IfExists` suffix, `Null` and the `ForAllValues:`/`ForAnyValue:`
//! set qualifiers are not documented by Alibaba Cloud, and a field report says RAM rejects
//! `BoolIfExists`; ramlint treats them as invalid.

use std::net::IpAddr;

/// The family of a condition operator, which decides how its values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
}

impl Family {
    /// Describes the values the family expects, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            Family::String => "a string",
            Family::Numeric => "a number such as \"10\"",
            Family::Date => "an ISO 8601 date and time such as \"2026-01-31T23:59:59Z\"",
            Family::Bool => "\"true\" or \"false\"",
            Family::Ip => "an IPv4 or IPv6 address or CIDR block such as \"192.168.0.0/16\"",
        }
    }
}

/// Every operator RAM documents, with its family.
pub const OPERATORS: &[(&str, Family)] = &[
    ("StringEquals", Family::String),
    ("StringNotEquals", Family::String),
    ("StringEqualsIgnoreCase", Family::String),
    ("StringNotEqualsIgnoreCase", Family::String),
    ("StringLike", Family::String),
    ("StringNotLike", Family::String),
    ("NumericEquals", Family::Numeric),
    ("NumericNotEquals", Family::Numeric),
    ("NumericLessThan", Family::Numeric),
    ("NumericLessThanEquals", Family::Numeric),
    ("NumericGreaterThan", Family::Numeric),
    ("NumericGreaterThanEquals", Family::Numeric),
    ("DateEquals", Family::Date),
    ("DateNotEquals", Family::Date),
    ("DateLessThan", Family::Date),
    ("DateLessThanEquals", Family::Date),
    ("DateGreaterThan", Family::Date),
    ("DateGreaterThanEquals", Family::Date),
    ("Bool", Family::Bool),
    ("IpAddress", Family::Ip),
    ("NotIpAddress", Family::Ip),
];

/// Returns the family of a documented operator. Operator names are case-sensitive.
pub fn family(operator: &str) -> Option<Family> {
    OPERATORS
        .iter()
        .find(|(name, _)| *name == operator)
        .map(|(_, family)| *family)
}

/// Parses a numeric condition value.
pub fn parse_number(text: &str) -> Option<f64> {
    let valid_chars = !text.is_empty()
        && text
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '-' | '+' | '.' | 'e' | 'E'));
    if !valid_chars {
        return None;
    }
    text.parse::<f64>().ok().filter(|value| value.is_finite())
}

/// Parses a boolean condition value; only the lowercase words are accepted.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An IP address or CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub address: IpAddr,
    pub prefix: u8,
}

impl IpBlock {
    /// Tells whether `ip` lies in this block; addresses of the other IP version never do.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses an address (`10.0.0.1`, `2001:db8::1`) or a CIDR block (`10.0.0.0/8`).
pub fn parse_ip_block(text: &str) -> Option<IpBlock> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(prefix) if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) => {
            prefix.parse::<u8>().ok().filter(|&p| p <= max)?
        }
        Some(_) => return None,
        None => max,
    };
    Some(IpBlock { address, prefix })
}

/// Parses an ISO 8601 date (`2026-01-31`) or date and time (`2026-01-31T23:59:59Z`, with
/// optional fractional seconds and a `Z` or `+08:00` offset) into seconds since the Unix
/// epoch, as a float to keep fractions. A time without an offset is read as UTC.
pub fn parse_date(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = bytes.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) as f64 * 86_400.0;
    if bytes.len() == 10 {
        return Some(seconds);
    }
    if !matches!(bytes[10], b'T' | b't') || bytes.len() < 16 || bytes[13] != b':' {
        return None;
    }
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let mut pos = 16;
    let mut second = 0.0;
    if bytes.get(pos) == Some(&b':') {
        second = digits(pos + 1..pos + 3)? as f64;
        pos += 3;
        if bytes.get(pos) == Some(&b'.') {
            let start = pos + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end == start {
                return None;
            }
            second += format!("0.{}", &text[start..end]).parse::<f64>().ok()?;
            pos = end;
        }
    }
    if hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    seconds += (hour * 3600 + minute * 60) as f64 + second;
    match &bytes[pos..] {
        [] | [b'Z'] | [b'z'] => Some(seconds),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let offset_text = std::str::from_utf8(rest).ok()?;
            let (hours, minutes) = match offset_text.len() {
                5 if offset_text.as_bytes()[2] == b':' => (&offset_text[0..2], &offset_text[3..5]),
                4 => (&offset_text[0..2], &offset_text[2..4]),
                2 => (&offset_text[0..2], "00"),
                _ => return None,
            };
            let hours: i64 = hours.parse().ok().filter(|h| *h <= 23)?;
            let minutes: i64 = minutes.parse().ok().filter(|m| *m <= 59)?;
            let offset = (hours * 3600 + minutes * 60) as f64;
            Some(if *sign == b'+' {
                seconds - offset
            } else {
                seconds + offset
            })
        }
        _ => None,
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Counts days from 1970-01-01 to a date in the proleptic Gregorian calendar (the
/// algorithm from Howard Hinnant's "chrono-compatible low-level date algorithms").
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_to_epoch_seconds() {
        assert_eq!(parse_date("1970-01-01"), Some(0.0));
        assert_eq!(parse_date("2000-03-01T00:00:00Z"), Some(951_868_800.0));
        assert_eq!(parse_date("2000-03-01T08:00:00+08:00"), Some(951_868_800.0));
        assert_eq!(parse_date("2024-02-29T12:00:00.5Z"), Some(1_709_208_000.5));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T24:00:00Z",
            "yesterday",
            "2024-1-1",
            "2024-01-01T10:00:00+8",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ip_blocks_match_addresses() {
        let block = parse_ip_block("192.168.0.0/16").unwrap();
        assert!(block.contains("192.168.255.1".parse().unwrap()));
        assert!(!block.contains("192.169.0.1".parse().unwrap()));
        let v6 = parse_ip_block("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::1".parse().unwrap()));
        assert!(!v6.contains("192.168.0.1".parse().unwrap()));
        for bad in [
            "10.0.0.0/33",
            "116.62.XX.XX/24",
            "10.0.0.1/",
            "::1/129",
            "*",
        ] {
            assert_eq!(parse_ip_block(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("ten"), None);
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("True"), None);
    }
}
