//! Reading FHIR R4 JSON as a stream of resources: NDJSON (Bulk Data export, one resource per
//! line) line by line through a bounded buffer; a Bundle document entry by entry (only one
//! entry is held at a time, however large the bundle); a single resource; bundles nested in
//! bundles. Bad input is a problem at its place — the line of an NDJSON file, the JSON pointer
//! of a bundle entry, the line and column of a syntax error — and the rest still reads.

use super::record::Place;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// The longest NDJSON line read (one resource); a longer one is a problem and is skipped.
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// How deep bundles may nest in bundles.
const MAX_NESTING: usize = 8;

/// Where resources and problems go as they are read.
pub trait Sink {
    /// A resource (never a Bundle: a bundle's entries are given one by one), with its entry's
    /// `fullUrl` when it came from a bundle.
    fn resource(&mut self, resource: Value, full_url: Option<String>, place: Place);
    /// A problem at `place`.
    fn problem(&mut self, place: &Place, message: String);
}

/// Reads the file at `path` (file number `file` of the import): NDJSON when it is named
/// `.ndjson` or `.jsonl` or when its first line is a whole JSON object, else one JSON document.
pub fn read_path(path: &Path, file: u32, sink: &mut impl Sink) {
    let whole = Place {
        file,
        ..Place::default()
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opened without blocking, then checked: a FIFO in place of a file never hangs the import.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let f = match options.open(path) {
        Ok(f) => f,
        Err(e) => return sink.problem(&whole, format!("cannot open: {e}")),
    };
    match f.metadata() {
        Ok(m) if m.is_file() => {}
        Ok(_) => {
            return sink.problem(
                &whole,
                "skipped: not a regular file (a pipe, socket or device); not read".into(),
            );
        }
        Err(e) => return sink.problem(&whole, format!("cannot read: {e}")),
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let ndjson = matches!(ext.as_str(), "ndjson" | "jsonl");
    read_stream(BufReader::with_capacity(1 << 16, f), file, ndjson, sink);
}

/// Reads resources from `reader` (see [`read_path`]); `ndjson` says the lines are resources.
pub fn read_stream(mut reader: impl BufRead, file: u32, ndjson: bool, sink: &mut impl Sink) {
    let at = |line: usize| Place {
        file,
        line: Some(line),
        pointer: String::new(),
    };
    if let Ok(buf) = reader.fill_buf()
        && buf.starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    if ndjson {
        return lines(reader, file, 1, sink);
    }
    // The first line that is not blank decides: a whole JSON object is NDJSON's first line.
    let mut prefix: Vec<u8> = Vec::new();
    let mut line = 0;
    let first = loop {
        line += 1;
        let start = prefix.len();
        match read_line(&mut reader, &mut prefix) {
            Ok(Line::Eof) if prefix.iter().all(u8::is_ascii_whitespace) => {
                return sink.problem(&at(1), "the file is empty".into());
            }
            Ok(Line::Eof) => break start,
            Ok(Line::TooLong) => {
                return sink.problem(
                    &at(line),
                    format!("a line longer than {MAX_LINE_BYTES} bytes; the file is not read"),
                );
            }
            Ok(Line::Read) if prefix[start..].iter().all(u8::is_ascii_whitespace) => continue,
            Ok(Line::Read) => break start,
            Err(e) => return sink.problem(&at(line), format!("cannot read: {e}")),
        }
    };
    let first_line = &prefix[first..];
    if matches!(
        serde_json::from_slice::<Value>(first_line),
        Ok(Value::Object(_))
    ) {
        one_line(first_line, file, line, sink);
        return lines(reader, file, line + 1, sink);
    }
    if first_line.trim_ascii_start().first() != Some(&b'{') {
        return sink.problem(
            &at(line),
            "not FHIR JSON: a file holds one JSON object (a Bundle or a resource), or one \
             resource per line (NDJSON)"
                .into(),
        );
    }
    document(
        BufReader::new(io::Cursor::new(prefix).chain(reader)),
        file,
        sink,
    );
}

enum Line {
    Read,
    TooLong,
    Eof,
}

/// Appends one line (with its newline) to `buf`; a line over [`MAX_LINE_BYTES`] is skipped to
/// its end.
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Line> {
    let start = buf.len();
    let n = reader
        .by_ref()
        .take(MAX_LINE_BYTES + 1)
        .read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(Line::Eof);
    }
    if (n as u64) > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
        buf.truncate(start);
        reader.skip_until(b'\n')?;
        return Ok(Line::TooLong);
    }
    Ok(Line::Read)
}

/// NDJSON from line `line` on: one resource per line, through one reused buffer.
fn lines(mut reader: impl BufRead, file: u32, mut line: usize, sink: &mut impl Sink) {
    let mut buf = Vec::with_capacity(1 << 16);
    loop {
        buf.clear();
        let place = Place {
            file,
            line: Some(line),
            pointer: String::new(),
        };
        match read_line(&mut reader, &mut buf) {
            Ok(Line::Eof) => break,
            Ok(Line::TooLong) => sink.problem(
                &place,
                format!("a line longer than {MAX_LINE_BYTES} bytes; skipped"),
            ),
            Ok(Line::Read) => one_line(&buf, file, line, sink),
            Err(e) => {
                sink.problem(&place, format!("cannot read: {e}"));
                break;
            }
        }
        line += 1;
    }
}

/// One NDJSON line: a resource (or a bundle), or a problem at the line.
fn one_line(bytes: &[u8], file: u32, line: usize, sink: &mut impl Sink) {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return;
    }
    let place = Place {
        file,
        line: Some(line),
        pointer: String::new(),
    };
    match serde_json::from_slice::<Value>(trimmed) {
        Ok(v @ Value::Object(_)) => {
            emit(v, None, place, sink, 0);
        }
        Ok(_) => sink.problem(&place, "not a JSON object (a FHIR resource)".into()),
        Err(e) => sink.problem(&place, malformed(&e)),
    }
}

/// "malformed JSON at column 12: EOF while parsing an object".
fn malformed(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(w, _)| w);
    format!("malformed JSON at column {}: {what}", e.column())
}

/// Counts of what a bundle held: (Patient resources, other resources).
type Counts = (usize, usize);

/// Gives a resource to the sink, or walks a bundle's entries.
fn emit(
    value: Value,
    full_url: Option<String>,
    place: Place,
    sink: &mut impl Sink,
    depth: usize,
) -> Counts {
    match value.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {
            let mut value = value;
            let entries = match value.get_mut("entry").map(Value::take) {
                Some(Value::Array(entries)) => entries,
                None | Some(Value::Null) => Vec::new(),
                Some(_) => {
                    sink.problem(&place, "a Bundle whose entry is not an array".into());
                    Vec::new()
                }
            };
            if depth >= MAX_NESTING {
                sink.problem(
                    &place,
                    format!("bundles nested more than {MAX_NESTING} deep; not read"),
                );
                return (0, 0);
            }
            let mut counts = (0, 0);
            for (i, e) in entries.into_iter().enumerate() {
                let (p, o) = entry(i, e, &place, sink, depth + 1);
                counts = (counts.0 + p, counts.1 + o);
            }
            if depth == 0 {
                no_patient(counts, &place, sink);
            }
            counts
        }
        Some("Patient") => {
            sink.resource(value, full_url, place);
            (1, 0)
        }
        Some(_) => {
            sink.resource(value, full_url, place);
            (0, 1)
        }
        None => {
            sink.problem(&place, "not a FHIR resource: no resourceType".into());
            (0, 0)
        }
    }
}

/// One entry of a bundle whose own place is `bundle`.
fn entry(i: usize, e: Value, bundle: &Place, sink: &mut impl Sink, depth: usize) -> Counts {
    let place = Place {
        file: bundle.file,
        line: bundle.line,
        pointer: format!("{}/entry/{i}/resource", bundle.pointer),
    };
    let Value::Object(mut e) = e else {
        sink.problem(&place, "a bundle entry that is not a JSON object".into());
        return (0, 0);
    };
    let full_url = match e.remove("fullUrl") {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    match e.remove("resource") {
        Some(r @ Value::Object(_)) => emit(r, full_url, place, sink, depth),
        // An entry without a resource: a transaction's DELETE, a search outcome, ...
        None | Some(Value::Null) => (0, 0),
        Some(_) => {
            sink.problem(&place, "an entry's resource is not a JSON object".into());
            (0, 0)
        }
    }
}

/// A bundle with resources but no Patient: a problem at the bundle.
fn no_patient(counts: Counts, place: &Place, sink: &mut impl Sink) {
    if counts.0 == 0 && counts.1 > 0 {
        sink.problem(
            place,
            format!(
                "the bundle holds no Patient resource; its {} resources are imported only for \
                 a patient found in another input",
                counts.1
            ),
        );
    }
}

/// A whole JSON document, its bundle entries read one at a time.
fn document(reader: impl Read, file: u32, sink: &mut impl Sink) {
    let whole = Place {
        file,
        ..Place::default()
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let seed = Doc {
        sink: &mut *sink,
        file,
    };
    let read = seed
        .deserialize(&mut de)
        .and_then(|object| de.end().map(|()| object));
    match read {
        Ok((rest, counts)) => {
            if rest.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
                no_patient(counts, &whole, sink);
            } else if rest.contains_key("resourceType") || counts == (0, 0) {
                emit(Value::Object(rest), None, whole, sink, 0);
            }
        }
        Err(e) => {
            let at = Place {
                file,
                line: Some(e.line()),
                pointer: String::new(),
            };
            let text = e.to_string();
            let what = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(w, _)| w);
            let hint = if what.starts_with("trailing characters") {
                " (more than one JSON value: an NDJSON file, one resource per line, is named \
                 .ndjson)"
            } else {
                ""
            };
            sink.problem(
                &at,
                format!(
                    "malformed JSON at column {}: {what}{hint}; the rest of the file is not read",
                    e.column()
                ),
            );
        }
    }
}

/// The top-level object of a document: every member but `entry` kept, the entries streamed.
struct Doc<'a, S> {
    sink: &'a mut S,
    file: u32,
}

impl<'de, S: Sink> DeserializeSeed<'de> for Doc<'_, S> {
    type Value = (Map<String, Value>, Counts);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for Doc<'_, S> {
    type Value = (Map<String, Value>, Counts);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FHIR resource or Bundle (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Doc { sink, file } = self;
        let mut rest = Map::new();
        let mut counts = (0, 0);
        while let Some(key) = map.next_key::<String>()? {
            if key == "entry" {
                let c = map.next_value_seed(Entries {
                    sink: &mut *sink,
                    file,
                })?;
                counts = (counts.0 + c.0, counts.1 + c.1);
            } else {
                let v: Value = map.next_value()?;
                rest.insert(key, v);
            }
        }
        Ok((rest, counts))
    }
}

/// A document's `entry` array, one entry at a time.
struct Entries<'a, S> {
    sink: &'a mut S,
    file: u32,
}

impl<'de, S: Sink> DeserializeSeed<'de> for Entries<'_, S> {
    type Value = Counts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Counts, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for Entries<'_, S> {
    type Value = Counts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the entries of a Bundle (an array)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counts, A::Error> {
        let bundle = Place {
            file: self.file,
            ..Place::default()
        };
        let mut counts = (0, 0);
        let mut i = 0;
        while let Some(e) = seq.next_element::<Value>()? {
            let (p, o) = entry(i, e, &bundle, &mut *self.sink, 1);
            counts = (counts.0 + p, counts.1 + o);
            i += 1;
        }
        Ok(counts)
    }
}
