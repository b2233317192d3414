//! The request context: the condition keys a request carries and their values.

use crate::document::condition as cond;

/// Condition keys and their values. A key may have several values; keys are compared
/// ignoring ASCII case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, Vec<String>)>,
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Adds a value to a key, keeping the values it already has.
    pub fn insert(&mut self, key: &str, value: &str) {
        match self
            .entries
            .iter_mut()
            .find(|(existing, _)| existing.eq_ignore_ascii_case(key))
        {
            Some((_, values)) => values.push(value.to_string()),
            None => self
                .entries
                .push((key.to_string(), vec![value.to_string()])),
        }
    }

    /// Returns the values of a key, or `None` when the context does not have it.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(existing, _)| existing.eq_ignore_ascii_case(key))
            .map(|(_, values)| values.as_slice())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses `KEY=VALUE`, as given to `--context`, and adds it. The value of a global key
    /// whose type RAM documents is checked: `acs:SourceIp` is an IP address,
    /// `acs:CurrentTime` an ISO 8601 date and time, `acs:SecureTransport` and
    /// `acs:MFAPresent` are `true` or `false`.
    pub fn insert_argument(&mut self, argument: &str) -> Result<(), String> {
        let Some((key, value)) = argument.split_once('=') else {
            return Err(format!(
                "invalid context `{argument}`; write KEY=VALUE, such as acs:SourceIp=10.0.0.1"
            ));
        };
        let key = key.trim();
        match key.split_once(':') {
            Some((prefix, name)) if !prefix.is_empty() && !name.is_empty() => {}
            _ => {
                return Err(format!(
                    "invalid context key `{key}`; condition keys are written prefix:Name, such as acs:SourceIp"
                ));
            }
        }
        let value = normalise_value(key, value)?;
        self.insert(key, &value);
        Ok(())
    }
}

/// Checks the value of a global key with a documented type, and writes booleans in lower
/// case as policies do.
fn normalise_value(key: &str, value: &str) -> Result<String, String> {
    let lower = key.to_ascii_lowercase();
    match lower.as_str() {
        "acs:sourceip" => match value.parse::<std::net::IpAddr>() {
            Ok(_) => Ok(value.to_string()),
            Err(_) => Err(format!(
                "invalid value `{value}` for {key}; it must be one IPv4 or IPv6 address, such as 203.0.113.7"
            )),
        },
        "acs:currenttime" => match cond::parse_date(value) {
            Some(_) => Ok(value.to_string()),
            None => Err(format!(
                "invalid value `{value}` for {key}; it must be an ISO 8601 date and time, such as 2026-01-31T23:59:59Z"
            )),
        },
        "acs:securetransport" | "acs:mfapresent" => match value.to_ascii_lowercase().as_str() {
            flag @ ("true" | "false") => Ok(flag.to_string()),
            _ => Err(format!(
                "invalid value `{value}` for {key}; it must be true or false"
            )),
        },
        _ => Ok(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_collect_values() {
        let mut context = Context::new();
        context.insert("acs:SourceIp", "10.0.0.1");
        context.insert("ACS:sourceip", "10.0.0.2");
        assert_eq!(
            context.get("acs:sourceIP"),
            Some(&["10.0.0.1".to_string(), "10.0.0.2".to_string()][..])
        );
        assert_eq!(context.get("acs:CurrentTime"), None);
    }

    #[test]
    fn arguments_are_checked() {
        let mut context = Context::new();
        assert!(context.insert_argument("acs:SourceIp=10.0.0.1").is_ok());
        assert!(context.insert_argument("acs:SecureTransport=TRUE").is_ok());
        assert_eq!(
            context.get("acs:SecureTransport"),
            Some(&["true".to_string()][..])
        );
        assert!(context.insert_argument("acs:SourceIp=10.0.0.0/8").is_err());
        assert!(context.insert_argument("acs:CurrentTime=tomorrow").is_err());
        assert!(context.insert_argument("SourceIp=10.0.0.1").is_err());
        assert!(context.insert_argument("acs:SourceIp").is_err());
        assert!(context.insert_argument("oss:Prefix=a=b").is_ok());
        assert_eq!(context.get("oss:Prefix"), Some(&["a=b".to_string()][..]));
    }
}
