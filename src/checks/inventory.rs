//! Rules about bucket inventories and about the region a request exports to.
//!
//! Inventories come from `--bucket-region NAME=REGION`, the `[buckets]` table of
//! `ramlint.toml`, and inventory files (OSS `ListBuckets` XML, `ossutil ls` output) given with
//! `--inventory` or found in the scan. The region rules run after every file is read, since
//! an inventory may be anywhere in the scan.

use super::Ctx;
use super::oss::INVALID_REGION;
use crate::catalog::regions;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, quote};
use crate::document::inventory::Entry;
use crate::source::Span;

declare_rule! {
    /// ## What it checks
    /// That the region a request exports to (`OSSRegionId` of ENS ExportImage) is the region
    /// of the bucket it names (`OSSBucket`), as a bucket inventory records it. The diagnostic
    /// points at the request's region and labels the inventory entry, in the inventory file
    /// or in `ramlint.toml`.
    ///
    /// ## Why it matters
    /// ENS exports an image to a bucket in the region the request names. If the bucket is
    /// elsewhere, the export fails, often after the request has been queued.
    ///
    /// ## Example
    /// With `[buckets] "image-exports-bj" = "cn-beijing"` in `ramlint.toml`:
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports-bj", "OSSRegionId": "cn-hangzhou"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"ImageId": "m-5ragaz3s74b7go8ks7jp9rch1", "OSSBucket": "image-exports-bj", "OSSRegionId": "cn-beijing"}
    /// ```
    ///
    /// ## Known problems
    /// The check is as current as the inventory. A region written in another form
    /// (`oss-cn-hangzhou`) is compared by the region it names, and `invalid-region` reports
    /// the form.
    pub static REGION_MISMATCH = ("region-mismatch", Error, "OSSRegionId differs from the bucket's region in the inventory");
}

declare_rule! {
    /// ## What it checks
    /// Reports a request whose bucket no inventory lists, so that its region could not be
    /// compared with the bucket's.
    ///
    /// ## Why it matters
    /// A clean run should not be read as "the regions match" when nothing was compared.
    /// This is information, not a failure.
    ///
    /// ## Example
    /// `ramlint check requests/` with no `--bucket-region`, `--inventory` or `[buckets]`.
    ///
    /// ## Use instead
    /// ```sh
    /// ramlint check --bucket-region image-exports-bj=cn-beijing requests/
    /// ```
    ///
    /// ## Known problems
    /// None known.
    pub static BUCKET_REGION_UNKNOWN = ("bucket-region-unknown", Info, "the bucket is in no inventory, so its region could not be checked");
}

declare_rule! {
    /// ## What it checks
    /// That no two inventory entries put the same bucket in different regions. Both entries
    /// are shown. Entries that name the same region in different forms (`cn-beijing`,
    /// `oss-cn-beijing`) agree.
    ///
    /// ## Why it matters
    /// A bucket lives in exactly one region, so one of the entries is stale or wrong, and
    /// requests for that bucket cannot be judged until it is fixed.
    ///
    /// ## Example
    /// `[buckets] "image-exports-bj" = "cn-hangzhou"` in `ramlint.toml`, while the
    /// `ListBuckets` response in the scan lists the bucket with `<Region>cn-beijing</Region>`.
    ///
    /// ## Use instead
    /// Remove or correct the stale entry.
    ///
    /// ## Known problems
    /// Requests for a bucket with conflicting entries are not checked for `region-mismatch`.
    pub static INVENTORY_CONFLICT = ("inventory-conflict", Error, "two inventory entries put one bucket in different regions");
}

declare_rule! {
    /// ## What it checks
    /// That an inventory file can be read: the XML is well-formed, every `Bucket` has a
    /// `Name` and a region (`Region`, `Location` or `ExtranetEndpoint`), and a file named with
    /// `--inventory` is a `ListBuckets` response or `ossutil ls` output at all.
    ///
    /// ## Why it matters
    /// An inventory that cannot be read would leave every request unchecked for its region.
    ///
    /// ## Example
    /// ```xml
    /// <ListAllMyBucketsResult><Buckets><Bucket><Region>cn-beijing</Region></Bucket></Buckets></ListAllMyBucketsResult>
    /// ```
    ///
    /// ## Use instead
    /// ```xml
    /// <ListAllMyBucketsResult><Buckets><Bucket><Name>image-exports-bj</Name><Region>cn-beijing</Region></Bucket></Buckets></ListAllMyBucketsResult>
    /// ```
    ///
    /// ## Known problems
    /// Only the first XML error of a file is reported.
    pub static INVALID_INVENTORY = ("invalid-inventory", Error, "an inventory file cannot be read");
}

/// Builds the diagnostic for an unreadable inventory file.
pub fn invalid_inventory(ctx: &Ctx<'_>, span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&INVALID_INVENTORY, ctx.file, span, message)
        .help("save the response of OSS ListBuckets (GetService) unchanged, or the output of `ossutil ls`")
        .subject("inventory")
}

/// Builds the diagnostic for a file named with `--inventory` that contains no inventory.
pub fn not_an_inventory(ctx: &Ctx<'_>) -> Diagnostic {
    Diagnostic::whole_file(
        &INVALID_INVENTORY,
        ctx.file,
        "the file is neither an OSS ListBuckets XML response (ListAllMyBucketsResult) nor `ossutil ls` output",
    )
    .help("pass a bucket inventory to --inventory, or name the file as a path to check")
    .subject("not-inventory")
}

/// Reports inventory entries whose region is not a region in any form.
pub fn check_entries(ctx: &mut Ctx<'_>, entries: &[Entry]) {
    for entry in entries {
        if regions::resolve(&entry.region).is_some() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            &INVALID_REGION,
            ctx.file,
            entry.region_span,
            format!(
                "the region of bucket {} is {}, which is not an OSS region",
                quote(&entry.bucket),
                quote(&entry.region)
            ),
        )
        .subject(format!("inventory {} region", entry.bucket));
        diagnostic = match regions::closest_id(&entry.region) {
            Some(id) => diagnostic
                .label(format!("did you mean `{id}`?"))
                .help(format!("write `{id}`, `oss-{id}` or the bucket's endpoint")),
            None => diagnostic
                .help("write a region ID such as `cn-beijing`, its Location form or an endpoint"),
        };
        ctx.report(diagnostic);
    }
}
