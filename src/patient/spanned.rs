//! A value with its place in the patient file (a byte range), read as `toml::Spanned` reads
//! it, that can also be written to the profile cache (`crate::cache`) and read back with its
//! place, so that a problem found in a cached profile names the same line and column.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Range;

/// A value and where it is in its file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Spanned<T>(toml::Spanned<T>);

impl<T> Spanned<T> {
    pub fn new(span: Range<usize>, value: T) -> Spanned<T> {
        Spanned(toml::Spanned::new(span, value))
    }

    /// The byte range of the value in its file.
    pub fn span(&self) -> Range<usize> {
        self.0.span()
    }

    pub fn get_ref(&self) -> &T {
        self.0.get_ref()
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }

    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

/// The names `toml` reads a value's place under: it gives the place of a value asked for as
/// this struct (the protocol of `serde_spanned`, which `toml::Spanned` follows).
const NAME: &str = "$__serde_spanned_private_Spanned";
const START: &str = "$__serde_spanned_private_start";
const END: &str = "$__serde_spanned_private_end";
const VALUE: &str = "$__serde_spanned_private_value";

/// From a TOML file: the value and its place, as `toml` gives them (a map of the three names
/// above). From the profile cache: start, end and value in that order.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value with its place in the file")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Spanned<T>, M::Error> {
                let (mut start, mut end, mut value) = (None, None, None);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        START => start = Some(map.next_value()?),
                        END => end = Some(map.next_value()?),
                        VALUE => value = Some(map.next_value()?),
                        other => return Err(de::Error::unknown_field(other, &[START, END, VALUE])),
                    }
                }
                match (start, end, value) {
                    (Some(s), Some(e), Some(v)) => Ok(Spanned::new(s..e, v)),
                    (None, _, _) => Err(de::Error::missing_field(START)),
                    (_, None, _) => Err(de::Error::missing_field(END)),
                    (_, _, None) => Err(de::Error::missing_field(VALUE)),
                }
            }

            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Spanned<T>, S::Error> {
                let missing = |i| de::Error::invalid_length(i, &"start, end and value");
                let start: usize = seq.next_element()?.ok_or_else(|| missing(0))?;
                let end: usize = seq.next_element()?.ok_or_else(|| missing(1))?;
                let value: T = seq.next_element()?.ok_or_else(|| missing(2))?;
                Ok(Spanned::new(start..end, value))
            }
        }
        d.deserialize_struct(NAME, &[START, END, VALUE], V(std::marker::PhantomData))
    }
}

/// Written as start, end and value (the cache writes structs as sequences, read back by
/// `visit_seq` above).
impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let span = self.span();
        let mut st = s.serialize_struct(NAME, 3)?;
        st.serialize_field(START, &span.start)?;
        st.serialize_field(END, &span.end)?;
        st.serialize_field(VALUE, self.get_ref())?;
        st.end()
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get_ref().fmt(f)
    }
}

impl std::borrow::Borrow<str> for Spanned<String> {
    fn borrow(&self) -> &str {
        self.get_ref()
    }
}

impl<T> AsRef<T> for Spanned<T> {
    fn as_ref(&self) -> &T {
        self.get_ref()
    }
}

impl<T> AsMut<T> for Spanned<T> {
    fn as_mut(&mut self) -> &mut T {
        self.get_mut()
    }
}
