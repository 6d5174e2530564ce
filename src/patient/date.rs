//! Calendar dates in input files: a TOML date literal (`2026-11-01`) or a string of that form;
//! a date with a time or offset is refused rather than truncated.

use chrono::NaiveDate;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;

/// A calendar date read from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

fn from_toml<E: de::Error>(dt: toml::value::Datetime) -> Result<Date, E> {
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .map(Date)
                .ok_or_else(|| E::custom(format!("{dt} is not a real date")))
        }
        _ => Err(E::custom(format!(
            "expected a date like 2026-11-01, found {dt}"
        ))),
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date like 2026-11-01")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Date, E> {
                if let Some(d) = plain(s) {
                    return Ok(Date(d));
                }
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Date)
                    .map_err(|_| E::custom(format!("'{s}' is not a date like 2026-11-01")))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                from_toml(dt)
            }
        }
        d.deserialize_any(V)
    }
}

/// A real date written exactly `YYYY-MM-DD` (how the cache writes every date), read without
/// the general parser; anything else is left to it.
fn plain(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// For `#[serde(deserialize_with)]` on `NaiveDate` fields.
pub fn req<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    Date::deserialize(d).map(|x| x.0)
}

/// For `#[serde(default, deserialize_with)]` on `Option<NaiveDate>` fields: a file gives a
/// date or leaves the key out; the profile cache also writes "none".
pub fn opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<Date>::deserialize(d).map(|x| x.map(|x| x.0))
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct X {
        d: Date,
    }

    #[test]
    fn literals_and_strings_are_dates_times_are_not() {
        let x: X = toml::from_str("d = 2026-11-01").unwrap();
        assert_eq!(x.d.0, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        let x: X = toml::from_str("d = \"2026-11-02\"").unwrap();
        assert_eq!(x.d.0, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        assert!(toml::from_str::<X>("d = 2026-11-01T10:00:00").is_err());
        assert!(toml::from_str::<X>("d = \"2026-02-30\"").is_err());
        assert!(toml::from_str::<X>("d = 2026-02-30").is_err());
        // The quick path and the general parser agree.
        for s in [
            "2026-11-01",
            "0001-01-01",
            "2024-02-29",
            "2025-02-29",
            "2026-13-01",
            "20a6-01-01",
        ] {
            assert_eq!(
                plain(s),
                NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
                "{s}"
            );
        }
    }
}
