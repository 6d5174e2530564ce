//! Reading FHIR JSON without trusting its shape: accessors that answer `None` for a missing or
//! wrongly typed element (never a panic), the codings of a concept, FHIR dates and times as
//! whole days, and references turned into the keys resources are grouped by.

use super::codes::{self, System};
use chrono::NaiveDate;
use serde_json::Value;

/// The string at `key` of an object.
pub fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

/// The array at `key` of an object (empty when absent or not an array).
pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// One coding of a CodeableConcept: its system (when known to the importer), the system as
/// written, its code and its display text.
#[derive(Debug, Clone, Copy)]
pub struct Coding<'a> {
    pub system: Option<System>,
    pub uri: &'a str,
    pub code: &'a str,
    pub display: &'a str,
}

impl Coding<'_> {
    /// "SNOMED CT 69896004" (or the system's URI when it is not one the importer knows).
    pub fn label(&self) -> String {
        match self.system {
            Some(s) => format!("{} {}", s.label(), self.code),
            None if self.uri.is_empty() => format!("code {}", self.code),
            None => format!("{} {}", self.uri, self.code),
        }
    }
}

/// The codings of a CodeableConcept that have a code, in order.
pub fn codings(concept: &Value) -> impl Iterator<Item = Coding<'_>> {
    list(concept, "coding").iter().filter_map(|c| {
        let uri = text(c, "system").unwrap_or("");
        Some(Coding {
            system: codes::system_of(uri),
            uri,
            code: text(c, "code").filter(|s| !s.trim().is_empty())?,
            display: text(c, "display").unwrap_or(""),
        })
    })
}

/// What a concept says in words: its text, else the first coding's display.
pub fn words(concept: &Value) -> &str {
    text(concept, "text")
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            list(concept, "coding")
                .iter()
                .filter_map(|c| text(c, "display"))
                .find(|d| !d.trim().is_empty())
        })
        .unwrap_or("")
}

/// The first coding and the concept's words, for the import summary: ("LOINC 8867-4",
/// "Heart rate"), or ("text only", "...") for a concept with no coded value.
pub fn describe(concept: &Value) -> (String, String) {
    match codings(concept).next() {
        Some(c) => (
            c.label(),
            if c.display.trim().is_empty() {
                words(concept).to_string()
            } else {
                c.display.to_string()
            },
        ),
        None => ("not coded".to_string(), words(concept).to_string()),
    }
}

/// A FHIR date or dateTime, as the patient file can use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Day {
    /// A whole day (the date as written, before any time or zone).
    Day(NaiveDate),
    /// Only a year or a month ("2015", "2015-06"): not a day, and never made one.
    Partial(String),
    /// Not a FHIR date.
    Bad(String),
}

/// Reads a FHIR date or dateTime: "2026-11-12", "2026-11-12T09:30:00+01:00" (the day as
/// written), "2026" or "2026-11" (partial).
pub fn day(s: &str) -> Day {
    let s = s.trim();
    let digits =
        |t: Option<&str>| t.is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
    let b = s.as_bytes();
    if b.len() >= 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        if let (Some(date), Some(rest)) = (s.get(..10), s.get(10..))
            && (rest.is_empty() || rest.starts_with('T'))
            && let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        {
            return Day::Day(d);
        }
        return Day::Bad(s.to_string());
    }
    let partial = match b.len() {
        4 => digits(Some(s)),
        7 => digits(s.get(..4)) && b.get(4) == Some(&b'-') && digits(s.get(5..)),
        _ => false,
    };
    if partial {
        Day::Partial(s.to_string())
    } else {
        Day::Bad(s.to_string())
    }
}

/// The first of `keys` present on `v` as a date: a dateTime or instant, or a Period's start.
pub fn first_day(v: &Value, keys: &[&str]) -> Option<Day> {
    for k in keys {
        match v.get(*k) {
            Some(Value::String(s)) => return Some(day(s)),
            Some(p @ Value::Object(_)) => {
                if let Some(s) = text(p, "start") {
                    return Some(day(s));
                }
            }
            _ => {}
        }
    }
    None
}

/// What a reference points at, as the importer groups by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A key the patient is known by (its id, the id in a full URL, or an identifier).
    Key(String),
    /// A reference to something else (a Group, a Location, ...), as written.
    Other(String),
    /// A reference inside the resource (`#med1`): its local id.
    Contained(String),
}

/// The key of a reference: "Patient/123" and ".../fhir/Patient/123/_history/2" → "123",
/// "urn:uuid:abc" → "abc"; a reference of another type (`Group/7`) is `Other`.
pub fn reference_key(reference: &str, of_type: &str) -> Target {
    let r = reference.trim();
    if let Some(local) = r.strip_prefix('#') {
        return Target::Contained(local.to_string());
    }
    for scheme in ["urn:uuid:", "urn:oid:"] {
        if let Some(id) = r.strip_prefix(scheme) {
            return Target::Key(id.to_string());
        }
    }
    let marker = format!("{of_type}/");
    if let Some(at) = r.rfind(&marker)
        && (at == 0 || r.as_bytes().get(at - 1) == Some(&b'/'))
    {
        let id = r
            .get(at + marker.len()..)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("");
        if !id.is_empty() {
            return Target::Key(id.to_string());
        }
    }
    if r.contains('/') {
        Target::Other(r.to_string())
    } else {
        Target::Key(r.to_string())
    }
}

/// The key a logical reference (by identifier) gives: "identifier|system|value".
pub fn identifier_key(identifier: &Value) -> Option<String> {
    let value = text(identifier, "value").filter(|v| !v.trim().is_empty())?;
    Some(format!(
        "identifier|{}|{}",
        text(identifier, "system").unwrap_or(""),
        value.trim()
    ))
}

/// The target of a Reference element: by `reference`, else by `identifier`.
pub fn reference(r: &Value, of_type: &str) -> Option<Target> {
    if let Some(s) = text(r, "reference").filter(|s| !s.trim().is_empty()) {
        return Some(reference_key(s, of_type));
    }
    r.get("identifier")
        .and_then(identifier_key)
        .map(Target::Key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_written_and_partial_dates_are_not_made_whole() {
        let d = |y, m, d| Day::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default());
        assert_eq!(day("2026-11-12"), d(2026, 11, 12));
        assert_eq!(day("2026-11-12T23:30:00-05:00"), d(2026, 11, 12));
        assert_eq!(day("2015"), Day::Partial("2015".into()));
        assert_eq!(day("2015-06"), Day::Partial("2015-06".into()));
        assert!(matches!(day("2026-02-30"), Day::Bad(_)));
        assert!(matches!(day("12/11/2026"), Day::Bad(_)));
        assert!(matches!(day("2026-11-12x"), Day::Bad(_)));
        assert!(matches!(day("é"), Day::Bad(_)));
        assert!(matches!(day("2026-11-1é"), Day::Bad(_)));
        assert!(matches!(day("202é-1"), Day::Bad(_)));
    }

    #[test]
    fn references_become_keys() {
        let k = |s: &str| reference_key(s, "Patient");
        assert_eq!(k("Patient/123"), Target::Key("123".into()));
        assert_eq!(k("urn:uuid:ab-cd"), Target::Key("ab-cd".into()));
        assert_eq!(
            k("https://x.org/fhir/Patient/9/_history/2"),
            Target::Key("9".into())
        );
        assert_eq!(k("Group/7"), Target::Other("Group/7".into()));
        assert_eq!(k("#m1"), Target::Contained("m1".into()));
        assert_eq!(k("OtherPatient/1"), Target::Other("OtherPatient/1".into()));
    }
}
