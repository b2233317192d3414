//! Rules about OSS values in requests: bucket names, object key prefixes and region IDs.
//! The checks are pure functions over a value, so that requests and inventories share them.

use crate::catalog::regions::{self, RegionForm};
use crate::declare_rule;
use crate::diagnostic::quote;

declare_rule! {
    /// ## What it checks
    /// That a parameter naming an OSS bucket (`OSSBucket` of ENS ExportImage) follows the
    /// OSS naming rules: 3 to 63 characters, only lowercase letters, digits and hyphens, and
    /// a lowercase letter or digit at both ends. The message names the rule that is broken.
    ///
    /// ## Why it matters
    /// No bucket can have such a name, so the request fails. Uppercase letters and
    /// underscores are the usual cause, from a name typed by hand or taken from another
    /// cloud's naming rules.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "Image_Exports", "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Known problems
    /// OSS documents no rule about names that look like IP addresses or that contain `--`,
    /// so they are accepted.
    pub static INVALID_BUCKET_NAME = ("invalid-bucket-name", Error, "a bucket name breaks OSS naming rules");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter used as the start of OSS object keys (`OSSPrefix` of ENS
    /// ExportImage) does not start with `/` or `\`.
    ///
    /// ## Why it matters
    /// OSS rejects object keys that start with `/` or `\`, so the export cannot write its
    /// object. A leading slash usually comes from writing the prefix as a path.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing", "OSSPrefix": "/exports"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing", "OSSPrefix": "exports"}
    /// ```
    ///
    /// ## Known problems
    /// The 1,023-byte limit on whole object keys is not checked, because the rest of the key
    /// is chosen by the service.
    pub static INVALID_OBJECT_KEY = ("invalid-object-key", Error, "an object key prefix that OSS rejects");
}

declare_rule! {
    /// ## What it checks
    /// That a parameter naming an OSS region (`OSSRegionId` of ENS ExportImage) is an OSS
    /// region ID from `rules/oss-regions.json`, such as `cn-beijing`. When the value is the
    /// Location form (`oss-cn-beijing`), an endpoint (`oss-cn-beijing.aliyuncs.com`, also
    /// `-internal`) or a near miss (`cn-bejing`, `CN-Beijing`), the message gives the ID to use.
    /// The same check applies to regions in bucket inventories, where every form is accepted
    /// and only unknown regions are reported.
    ///
    /// ## Why it matters
    /// The API takes the bare region ID. `oss-cn-beijing` looks right because OSS itself
    /// writes it that way in `Location` and in endpoints, but the request fails with it.
    ///
    /// ## Example
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "oss-cn-beijing"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports", "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Known problems
    /// The region list comes from Alibaba Cloud's product metadata (`products.json`) and
    /// lacks regions opened after it was copied.
    pub static INVALID_REGION = ("invalid-region", Error, "not a known OSS region ID");
}

/// Explains why a bucket name is invalid, or returns `None` for a valid one.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if !(3..=63).contains(&length) {
        return Some(format!(
            "it is {length} character{} long; bucket names are 3 to 63 characters long",
            if length == 1 { "" } else { "s" }
        ));
    }
    let mut uppercase = false;
    let mut others: Vec<char> = Vec::new();
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            uppercase = true;
        } else if !(ch.is_ascii_lowercase()
            || ch.is_ascii_digit()
            || ch == '-'
            || others.contains(&ch))
        {
            others.push(ch);
        }
    }
    if uppercase || !others.is_empty() {
        let mut parts = Vec::new();
        if uppercase {
            parts.push("uppercase letters".to_string());
        }
        if !others.is_empty() {
            let listed: Vec<String> = others.iter().map(|c| quote(&c.to_string())).collect();
            parts.push(listed.join(", "));
        }
        return Some(format!(
            "it contains {}; only lowercase letters, digits and hyphens are allowed",
            parts.join(" and ")
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it starts or ends with a hyphen".to_string());
    }
    None
}

/// Explains why a prefix cannot start an object key, or returns `None`.
pub fn object_prefix_problem(prefix: &str) -> Option<String> {
    let first = prefix.chars().next()?;
    if first == '/' || first == '\\' {
        return Some(format!(
            "it starts with `{first}`, and OSS rejects object keys that start with `/` or `\\`"
        ));
    }
    None
}

/// The problem with a region value, and the ID to use when one can be found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionProblem {
    pub message: String,
    pub suggestion: Option<&'static str>,
}

/// Checks a value that must be a region ID. Returns `None` for a valid ID.
pub fn region_id_problem(value: &str) -> Option<RegionProblem> {
    if regions::find_id(value).is_some() {
        return None;
    }
    if let Some(resolved) = regions::resolve(value) {
        debug_assert_ne!(resolved.form, RegionForm::Id);
        return Some(RegionProblem {
            message: format!(
                "{} is {}, not a region ID; the region ID is {}",
                quote(value),
                resolved.form.description(),
                quote(resolved.id)
            ),
            suggestion: Some(resolved.id),
        });
    }
    let suggestion = regions::closest_id(value);
    let message = match suggestion {
        Some(id) => format!(
            "{} is not an OSS region ID; did you mean {}?",
            quote(value),
            quote(id)
        ),
        None => format!("{} is not an OSS region ID", quote(value)),
    };
    Some(RegionProblem {
        message,
        suggestion,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_oss_rules() {
        for valid in ["abc", "image-exports-2024", &"a".repeat(63)] {
            assert_eq!(bucket_name_problem(valid), None, "{valid}");
        }
        let cases = [
            ("ab", "2 characters"),
            ("Image_Exports", "uppercase letters and \"_\""),
            ("my.bucket", "\".\""),
            ("-bucket", "hyphen"),
            ("bucket-", "hyphen"),
        ];
        for (name, expected) in cases {
            let problem = bucket_name_problem(name).unwrap_or_default();
            assert!(problem.contains(expected), "{name}: {problem}");
        }
        assert!(bucket_name_problem(&"a".repeat(64)).is_some());
    }

    #[test]
    fn prefixes_must_not_start_with_slashes() {
        assert!(object_prefix_problem("/exports").is_some());
        assert!(object_prefix_problem("\\exports").is_some());
        assert_eq!(object_prefix_problem("exports/"), None);
        assert_eq!(object_prefix_problem(""), None);
    }

    #[test]
    fn region_problems_suggest_the_id() {
        assert_eq!(region_id_problem("cn-beijing"), None);
        let location = region_id_problem("oss-cn-beijing").unwrap();
        assert_eq!(location.suggestion, Some("cn-beijing"));
        assert!(
            location.message.contains("Location form"),
            "{}",
            location.message
        );
        let endpoint = region_id_problem("oss-cn-beijing-internal.aliyuncs.com").unwrap();
        assert!(
            endpoint.message.contains("internal OSS endpoint"),
            "{}",
            endpoint.message
        );
        let typo = region_id_problem("cn-bejing").unwrap();
        assert_eq!(typo.suggestion, Some("cn-beijing"));
        let unknown = region_id_problem("moon-1").unwrap();
        assert_eq!(unknown.suggestion, None);
    }
}
