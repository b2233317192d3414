//! Property tests of the request and inventory parsers: no input makes them panic, and every
//! span they return lies on character boundaries inside the text.

use proptest::prelude::*;
use ramlint::document::inventory;
use ramlint::document::request::{TextForms, requests_in_text};
use ramlint::syntax::markdown;
use ramlint::syntax::{Node, Value};

/// Text made of the characters that matter to the parsers, plus some multi-byte ones.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "aliyun",
        " ",
        "ens",
        "ExportImage",
        "--OSSBucket",
        "--Name=",
        "=",
        "&",
        "?",
        "%",
        "%E5",
        "%2",
        "+",
        "'",
        "\"",
        "\\",
        "\\\n",
        "\n",
        "\r\n",
        "$",
        "${",
        "$(",
        "`",
        ")",
        "}",
        "#",
        ";",
        "|",
        "<",
        ">",
        "<a b>",
        "https://ens.aliyuncs.com/?",
        "Action=",
        "```",
        "~~~",
        "> ",
        "\t",
        "导出",
        "é",
        "\u{FEFF}",
        "<Bucket>",
        "</Bucket>",
        "<Name>",
        "</Name>",
        "<Region>",
        "</Region>",
        "<ListAllMyBucketsResult>",
        "<Buckets>",
        "oss://",
        "oss-cn-beijing",
        "CreationTime Region BucketName\n",
        "Bucket Number is: 1",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|parts| parts.concat())
}

fn check_node(text: &str, node: &Node<'_>) {
    assert!(node.span.start <= node.span.end);
    assert!(
        text.get(node.span.range()).is_some(),
        "value span {:?} in {text:?}",
        node.span
    );
    if let Value::Object(members) = &node.value {
        for member in members {
            assert!(
                text.get(member.key_span.range()).is_some(),
                "key span in {text:?}"
            );
            check_node(text, &member.value);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn request_spans_slice_the_text(text in text()) {
        let whole = 0..text.len();
        for request in requests_in_text(&text, std::slice::from_ref(&whole), TextForms::ALL) {
            prop_assert!(text.get(request.span.range()).is_some());
            check_node(&text, &request.params);
            let _ = request.classify();
        }
        for range in markdown::code_block_ranges(&text) {
            prop_assert!(text.get(range.clone()).is_some());
            let _ = requests_in_text(&text, std::slice::from_ref(&range), TextForms::ALL);
        }
    }

    #[test]
    fn inventory_spans_slice_the_text(text in text()) {
        let entries = match inventory::parse_list_buckets_xml(&text) {
            Ok(entries) => entries,
            Err(error) => {
                prop_assert!(text.get(error.span.range()).is_some());
                Vec::new()
            }
        };
        let listed = inventory::parse_ossutil_listing(&text).unwrap_or_default();
        for entry in entries.iter().chain(&listed) {
            prop_assert!(text.get(entry.bucket_span.range()).is_some());
            prop_assert!(text.get(entry.region_span.range()).is_some());
        }
    }
}
