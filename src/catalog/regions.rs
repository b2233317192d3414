//! OSS region IDs (`rules/oss-regions.json`) and the other ways people write them.
//!
//! OSS names a region three ways: the region ID (`cn-beijing`, what APIs such as ENS
//! ExportImage take and what ListBuckets returns as `Region`), the Location form
//! (`oss-cn-beijing`, ListBuckets' `Location`), and endpoints (`oss-cn-beijing.aliyuncs.com`,
//! and `oss-cn-beijing-internal.aliyuncs.com` inside the region).

use super::api::OSS_REGIONS;

/// The notation a region is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionForm {
    /// The region ID itself.
    Id,
    /// `oss-` followed by the region ID.
    Location,
    /// The public endpoint, such as `oss-cn-beijing.aliyuncs.com`.
    Endpoint,
    /// The internal endpoint, such as `oss-cn-beijing-internal.aliyuncs.com`.
    InternalEndpoint,
}

impl RegionForm {
    /// Describes the form for messages, with an article.
    pub fn description(self) -> &'static str {
        match self {
            RegionForm::Id => "a region ID",
            RegionForm::Location => "the Location form of a region",
            RegionForm::Endpoint => "an OSS endpoint",
            RegionForm::InternalEndpoint => "an internal OSS endpoint",
        }
    }
}

/// A region text resolved to a region ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolvedRegion {
    pub id: &'static str,
    pub form: RegionForm,
}

/// Lists every OSS region ID, sorted.
pub fn ids() -> impl Iterator<Item = &'static str> {
    OSS_REGIONS.iter().map(|(id, _)| *id)
}

/// Returns the canonical region ID when `text` is exactly one.
pub fn find_id(text: &str) -> Option<&'static str> {
    OSS_REGIONS
        .binary_search_by(|(id, _)| (*id).cmp(text))
        .ok()
        .map(|i| OSS_REGIONS[i].0)
}

/// Resolves a region written in any of its forms. An endpoint may carry a scheme
/// (`https://`) and a trailing `/`. Case matters, as it does for OSS.
pub fn resolve(text: &str) -> Option<ResolvedRegion> {
    if let Some(id) = find_id(text) {
        return Some(ResolvedRegion {
            id,
            form: RegionForm::Id,
        });
    }
    if let Some(rest) = text.strip_prefix("oss-")
        && let Some(id) = find_id(rest)
    {
        return Some(ResolvedRegion {
            id,
            form: RegionForm::Location,
        });
    }
    resolve_endpoint(text)
}

fn resolve_endpoint(text: &str) -> Option<ResolvedRegion> {
    let host = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text)
        .trim_end_matches('/');
    // Some regions have an endpoint that does not follow the pattern, so the table comes first.
    if let Some((id, _)) = OSS_REGIONS.iter().find(|(_, endpoint)| *endpoint == host) {
        let form = if host.ends_with("-internal.aliyuncs.com") {
            RegionForm::InternalEndpoint
        } else {
            RegionForm::Endpoint
        };
        return Some(ResolvedRegion { id, form });
    }
    let name = host.strip_suffix(".aliyuncs.com")?.strip_prefix("oss-")?;
    let (name, form) = match name.strip_suffix("-internal") {
        Some(name) => (name, RegionForm::InternalEndpoint),
        None => (name, RegionForm::Endpoint),
    };
    find_id(name).map(|id| ResolvedRegion { id, form })
}

/// Suggests the region ID that a misspelled region most likely means, in any form:
/// `cn-bejing` and `oss-cn-bejing.aliyuncs.com` both give `cn-beijing`.
pub fn closest_id(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let lower = lower.trim();
    if let Some(resolved) = resolve(lower) {
        return Some(resolved.id);
    }
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(lower)
        .trim_end_matches('/');
    let stripped = host.strip_suffix(".aliyuncs.com").unwrap_or(host);
    let stripped = stripped.strip_suffix("-internal").unwrap_or(stripped);
    let stripped = stripped.strip_prefix("oss-").unwrap_or(stripped);
    crate::checks::closest(stripped, ids())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_resolves_to_the_id() {
        let cases = [
            ("cn-beijing", RegionForm::Id),
            ("oss-cn-beijing", RegionForm::Location),
            ("oss-cn-beijing.aliyuncs.com", RegionForm::Endpoint),
            ("https://oss-cn-beijing.aliyuncs.com/", RegionForm::Endpoint),
            (
                "oss-cn-beijing-internal.aliyuncs.com",
                RegionForm::InternalEndpoint,
            ),
        ];
        for (text, form) in cases {
            assert_eq!(
                resolve(text),
                Some(ResolvedRegion {
                    id: "cn-beijing",
                    form
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn irregular_endpoints_come_from_the_table() {
        let resolved = resolve("oss-cn-hzjbp-b-console.aliyuncs.com").unwrap();
        assert_eq!(resolved.id, "cn-hangzhou-finance");
        let resolved = resolve("oss-cn-shanghai-finance-1-internal.aliyuncs.com").unwrap();
        assert_eq!(resolved.id, "cn-shanghai-finance-1");
    }

    #[test]
    fn unknown_regions_do_not_resolve() {
        assert_eq!(resolve("cn-bejing"), None);
        assert_eq!(resolve("CN-BEIJING"), None);
        assert_eq!(resolve("beijing"), None);
        assert_eq!(resolve(""), None);
    }

    #[test]
    fn misspellings_suggest_an_id() {
        assert_eq!(closest_id("cn-bejing"), Some("cn-beijing"));
        assert_eq!(closest_id("oss-cn-bejing.aliyuncs.com"), Some("cn-beijing"));
        assert_eq!(closest_id("CN-Hangzhou"), Some("cn-hangzhou"));
        assert_eq!(closest_id("mars-north-1"), None);
    }
}
