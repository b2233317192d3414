//! Bucket inventories: which region each OSS bucket is in.
//!
//! Two file formats are read, each with the span of every bucket name and region:
//!
//! - the XML response of OSS `ListBuckets` (`GetService`): `ListAllMyBucketsResult`, then
//!   `Buckets`, then one `Bucket` per bucket with `Name`, `Region` (`cn-beijing`) and
//!   `Location` (`oss-cn-beijing`). `Region` is used when present, else `Location`, else
//!   `ExtranetEndpoint`.
//! - the text printed by `ossutil ls` for buckets: a header line with the columns
//!   `CreationTime`, `Region`, optionally `StorageClass`, and `BucketName`, then one line per
//!   bucket ending in `oss://NAME`, then `Bucket Number is: N`. The region column contains the
//!   Location form. The format is the one `listBuckets` prints in `lib/ls.go` of
//!   github.com/aliyun/ossutil (1.x); the short format (`ls -s`) names no regions and is not
//!   an inventory.
//!
//! Regions may be written as IDs, Location forms or endpoints; they are resolved with
//! [`crate::catalog::regions::resolve`] when the inventory is used.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::source::Span;

/// One bucket and its region, as written in an inventory file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub bucket: String,
    pub bucket_span: Span,
    pub region: String,
    pub region_span: Span,
}

/// A problem that makes an inventory file unusable, with the span of the offending text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryError {
    pub span: Span,
    pub message: String,
}

/// Tells whether a text is an XML `ListBuckets` response, by its root element.
pub fn is_list_buckets_xml(text: &str) -> bool {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(start) | Event::Empty(start)) => {
                return start.local_name().as_ref() == b"ListAllMyBucketsResult";
            }
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// The child elements of a `Bucket` that matter, with the spans of their text.
#[derive(Default)]
struct BucketElement {
    start: usize,
    name: Option<(String, Span)>,
    region: Option<(String, Span)>,
    location: Option<(String, Span)>,
    endpoint: Option<(String, Span)>,
}

/// Reads the buckets of an XML `ListBuckets` response.
pub fn parse_list_buckets_xml(text: &str) -> Result<Vec<Entry>, InventoryError> {
    // The reader skips a byte order mark at the start of its input without counting it in
    // its positions. With one mark cut off it would skip the next, so every leading mark is
    // cut off here and every position is shifted back by their total length.
    let skipped = text.len() - text.trim_start_matches('\u{feff}').len();
    let mut reader = Reader::from_str(&text[skipped..]);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut bucket: Option<BucketElement> = None;
    let mut entries = Vec::new();
    loop {
        let before = skipped + reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|error| InventoryError {
            span: error_span(text, skipped + reader.error_position() as usize),
            message: format!("the XML is malformed: {error}"),
        })?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_vec();
                if path.len() == 2 && name == b"Bucket" && path[1] == b"Buckets" {
                    bucket = Some(BucketElement {
                        start: before,
                        ..BucketElement::default()
                    });
                }
                path.push(name);
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                let end = skipped + reader.buffer_position() as usize;
                if let (Some(element), Some(current)) = (bucket.as_mut(), path.last())
                    && path.len() == 4
                {
                    let raw = &text[before..end];
                    let value = unescape(raw);
                    let slot = match current.as_slice() {
                        b"Name" => &mut element.name,
                        b"Region" => &mut element.region,
                        b"Location" => &mut element.location,
                        b"ExtranetEndpoint" => &mut element.endpoint,
                        _ => continue,
                    };
                    // Text split by an entity reference arrives in pieces; they are joined.
                    match slot {
                        Some((joined, span)) if span.end as usize == before => {
                            joined.push_str(&value);
                            span.end = end as u32;
                        }
                        _ => *slot = Some((value, Span::from_range(before, end))),
                    }
                }
            }
            Event::End(_) => {
                let closed = path.pop();
                if path.len() == 2
                    && closed.as_deref() == Some(b"Bucket")
                    && let Some(element) = bucket.take()
                {
                    entries.push(finish_bucket(
                        text,
                        element,
                        skipped + reader.buffer_position() as usize,
                    )?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(entries)
}

fn finish_bucket(text: &str, element: BucketElement, end: usize) -> Result<Entry, InventoryError> {
    let whole = Span::from_range(element.start, end);
    let Some((bucket, bucket_span)) = element.name.map(|slot| trimmed(text, slot)) else {
        return Err(InventoryError {
            span: opening_tag(text, whole),
            message: "this Bucket has no Name".to_string(),
        });
    };
    if bucket.is_empty() {
        return Err(InventoryError {
            span: bucket_span,
            message: "this Bucket's Name is empty".to_string(),
        });
    }
    let region = element
        .region
        .or(element.location)
        .or(element.endpoint)
        .map(|slot| trimmed(text, slot));
    let Some((region, region_span)) = region else {
        return Err(InventoryError {
            span: opening_tag(text, whole),
            message: format!(
                "bucket \"{bucket}\" has no Region, Location or ExtranetEndpoint, so its region is unknown"
            ),
        });
    };
    Ok(Entry {
        bucket,
        bucket_span,
        region,
        region_span,
    })
}

/// Narrows a text and its span to the text without surrounding whitespace.
fn trimmed(text: &str, (value, span): (String, Span)) -> (String, Span) {
    if value.trim().is_empty() {
        // Nothing is left: an empty span where the text starts, never a reversed one.
        return (String::new(), Span::new(span.start, span.start));
    }
    // The span covers the raw text with its entities, and whitespace at its edges is literal.
    let raw = &text[span.range()];
    let leading = raw.len() - raw.trim_start().len();
    let trailing = raw.len() - raw.trim_end().len();
    let span = Span::from_range(span.start as usize + leading, span.end as usize - trailing);
    (value.trim().to_string(), span)
}

fn opening_tag(text: &str, whole: Span) -> Span {
    let start = whole.start as usize;
    let end = text[start..whole.end as usize]
        .find('>')
        .map_or(whole.end as usize, |i| start + i + 1);
    Span::from_range(start, end)
}

fn unescape(raw: &str) -> String {
    if raw.starts_with("<![CDATA[") && raw.ends_with("]]>") {
        return raw["<![CDATA[".len()..raw.len() - 3].to_string();
    }
    if raw.starts_with('&') && raw.ends_with(';') {
        return match &raw[1..raw.len() - 1] {
            "amp" => "&".to_string(),
            "lt" => "<".to_string(),
            "gt" => ">".to_string(),
            "quot" => "\"".to_string(),
            "apos" => "'".to_string(),
            _ => raw.to_string(),
        };
    }
    raw.to_string()
}

/// A span for an error at `offset`: the whole tag when a tag starts there, else the
/// character there, or an empty span at the end.
fn error_span(text: &str, offset: usize) -> Span {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let rest = &text[offset..];
    let end = if rest.starts_with('<') {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        rest[..line_end].find('>').map_or(line_end, |i| i + 1)
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    };
    Span::from_range(offset, offset + end)
}

/// Reads the buckets of `ossutil ls` output, or returns `None` when the text has no bucket
/// listing header.
pub fn parse_ossutil_listing(text: &str) -> Option<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut in_listing = false;
    let mut found_header = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let words: Vec<(usize, &str)> = words_with_offsets(line);
        let texts: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
        if texts.first() == Some(&"CreationTime")
            && texts.contains(&"Region")
            && texts.last() == Some(&"BucketName")
        {
            in_listing = true;
            found_header = true;
            continue;
        }
        if !in_listing {
            continue;
        }
        if line.trim_start().starts_with("Bucket Number is") {
            in_listing = false;
            continue;
        }
        // A bucket line ends with `oss://NAME`. The region is the first word that looks like
        // a region (`oss-...` or a region ID).
        let Some(&(name_at, last)) = words.last() else {
            continue;
        };
        let Some(name) = last.strip_prefix("oss://") else {
            continue;
        };
        let name = name.trim_end_matches('/');
        let region = words[..words.len() - 1].iter().find(|(_, word)| {
            word.starts_with("oss-") || crate::catalog::regions::find_id(word).is_some()
        });
        let Some(&(region_at, region)) = region else {
            continue;
        };
        let name_start = start + name_at + "oss://".len();
        entries.push(Entry {
            bucket: name.to_string(),
            bucket_span: Span::from_range(name_start, name_start + name.len()),
            region: region.to_string(),
            region_span: Span::from_range(start + region_at, start + region_at + region.len()),
        });
    }
    found_header.then_some(entries)
}

fn words_with_offsets(line: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, ch) in line.char_indices() {
        if ch.is_whitespace() {
            if let Some(s) = start.take() {
                words.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push((s, &line[s..]));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult>
  <Owner><ID>1234</ID></Owner>
  <Buckets>
    <Bucket>
      <CreationDate>2024-01-02T03:04:05.000Z</CreationDate>
      <Location>oss-cn-beijing</Location>
      <Name>image-exports-bj</Name>
      <Region>cn-beijing</Region>
    </Bucket>
    <Bucket>
      <Location>oss-cn-hangzhou</Location>
      <Name> logs&amp;more </Name>
    </Bucket>
  </Buckets>
</ListAllMyBucketsResult>
"#;

    #[test]
    fn xml_entries_have_spans() {
        assert!(is_list_buckets_xml(XML));
        let entries = parse_list_buckets_xml(XML).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].bucket, "image-exports-bj");
        assert_eq!(&XML[entries[0].bucket_span.range()], "image-exports-bj");
        assert_eq!(entries[0].region, "cn-beijing");
        assert_eq!(&XML[entries[0].region_span.range()], "cn-beijing");
        assert_eq!(entries[1].region, "oss-cn-hangzhou");
        assert_eq!(entries[1].bucket, "logs&more");
    }

    #[test]
    fn xml_with_byte_order_marks_keeps_spans() {
        for marks in ["\u{feff}", "\u{feff}\u{feff}"] {
            let text = format!("{marks}{XML}");
            let entries = parse_list_buckets_xml(&text).unwrap();
            assert_eq!(&text[entries[0].bucket_span.range()], "image-exports-bj");
            assert_eq!(&text[entries[0].region_span.range()], "cn-beijing");
            assert_eq!(&text[entries[1].bucket_span.range()], "logs&amp;more");
        }
        let broken = "\u{feff}<ListAllMyBucketsResult><Buckets><Bucket><Name>\u{4b21c}</Nam>";
        let error = parse_list_buckets_xml(broken).unwrap_err();
        assert!(broken.is_char_boundary(error.span.start as usize));
        assert!(broken.is_char_boundary(error.span.end as usize));
    }

    #[test]
    fn xml_errors_have_spans() {
        assert!(!is_list_buckets_xml("<project><name>x</name></project>"));
        let broken = "<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Nam></Bucket>";
        let error = parse_list_buckets_xml(broken).unwrap_err();
        assert!(error.message.contains("malformed"), "{}", error.message);
        let nameless = "<ListAllMyBucketsResult><Buckets><Bucket><Region>cn-beijing</Region></Bucket></Buckets></ListAllMyBucketsResult>";
        let error = parse_list_buckets_xml(nameless).unwrap_err();
        assert_eq!(&nameless[error.span.range()], "<Bucket>");
    }

    #[test]
    fn ossutil_listing_is_read() {
        let text = "CreationTime                                 Region    StorageClass    BucketName\n\
                    2021-07-06 14:21:09 +0800 CST       oss-cn-hangzhou        Standard    oss://examplebucket1\n\
                    2021-06-16 18:32:32 +0800 CST       oss-cn-shanghai        Standard    oss://examplebucket2\n\
                    Bucket Number is: 2\n\n0.170107(s) elapsed\n";
        let entries = parse_ossutil_listing(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(&text[entries[1].bucket_span.range()], "examplebucket2");
        assert_eq!(&text[entries[1].region_span.range()], "oss-cn-shanghai");
        assert_eq!(
            parse_ossutil_listing("oss://a\nBucket Number is: 1\n"),
            None
        );
    }
}
