//! Matching resources: Alibaba Cloud Resource Names (ARNs) against `Resource` patterns.
//!
//! An ARN has five parts, `acs:<service>:<region>:<account>:<relative-id>`, split at the
//! first four colons only: `acs:oss:*:*:bucket/a:b` has the relative id `bucket/a:b`. When
//! both the pattern and the resource have five parts, each part is matched on its own, so a
//! `*` in the region part cannot reach into the account. Inside the relative id `*` crosses
//! `/` and `:`. A pattern or resource with fewer parts (`*`, or a malformed ARN that
//! `invalid-resource` reports) is matched as one string. Matching is case-sensitive.

use super::pattern::{self, Case};

/// The five parts of an ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub relative_id: &'a str,
}

/// Splits an ARN at its first four colons; returns `None` unless it starts with `acs:` and
/// has five parts.
pub fn split(text: &str) -> Option<Arn<'_>> {
    let ([acs, service, region, account, relative_id], 5) =
        crate::source::split_ascii_n::<5>(text, b':')
    else {
        return None;
    };
    (acs == "acs").then_some(Arn {
        service,
        region,
        account,
        relative_id,
    })
}

/// Tells whether `resource` matches the `Resource` pattern `pattern`.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    match (split(pattern), split(resource)) {
        (Some(pattern), Some(resource)) => {
            let part = |p: &str, r: &str| pattern::matches(p, r, Case::Sensitive);
            part(pattern.service, resource.service)
                && part(pattern.region, resource.region)
                && part(pattern.account, resource.account)
                && part(pattern.relative_id, resource.relative_id)
        }
        _ => pattern::matches(pattern, resource, Case::Sensitive),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_split_at_the_first_four_colons() {
        let arn = split("acs:oss:*:*:bucket/a:b").unwrap();
        assert_eq!(arn.relative_id, "bucket/a:b");
        let ram = split("acs:ram::123:role/x").unwrap();
        assert_eq!(ram.region, "");
        assert_eq!(split("acs:ram:123:role/x"), None);
        assert_eq!(split("*"), None);
    }

    #[test]
    fn parts_match_separately() {
        assert!(resource_matches(
            "acs:oss:*:*:bucket/*",
            "acs:oss:cn-beijing:123:bucket/a:b"
        ));
        assert!(resource_matches(
            "acs:oss:*:*:bucket/a:*",
            "acs:oss:x:1:bucket/a:b"
        ));
        // The region's `*` cannot absorb the account, so the relative id must match alone.
        assert!(!resource_matches(
            "acs:ecs:*:*:instance/*",
            "acs:ecs:cn-hangzhou:1:2:instance/i-1"
        ));
        assert!(resource_matches("*", "acs:ecs:cn-hangzhou:1:instance/i-1"));
        assert!(!resource_matches("acs:ens:*:*:*", "*"));
        assert!(resource_matches("*", "*"));
        assert!(!resource_matches(
            "acs:oss:*:*:Bucket",
            "acs:oss:*:*:bucket"
        ));
    }
}
