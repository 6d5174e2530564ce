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
    }
}
