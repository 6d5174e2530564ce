//! Short texts that repeat across a queue — who attested, criterion ids, units and results as
//! written — held once per distinct text and shared. At 100,000 patients a private copy of each
//! would cost 30–50 bytes a time, hundreds of thousands of times.

use serde::{Deserialize, Deserializer};
use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

/// An immutable text shared by every holder of the same text; reads as a `&str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shared(Arc<str>);

/// The distinct texts in use, in one of [`SHARDS`] pools chosen by the text's hash, so that
/// loading threads seldom wait for each other. An entry nobody else holds any more is dropped
/// when its pool has doubled since it was last swept, so no pool outgrows what is loaded by much.
struct Pool {
    texts: HashSet<Arc<str>, foldhash::fast::RandomState>,
    sweep_at: usize,
}

/// Pools, each behind its own lock; a text is always in the same one.
const SHARDS: usize = 16;

static POOLS: [Mutex<Option<Pool>>; SHARDS] = [const { Mutex::new(None) }; SHARDS];

/// Entries (over all pools) below which no pool is swept.
const MIN_SWEEP: usize = 4096;

/// The pool that holds `s`.
fn shard(s: &str) -> &'static Mutex<Option<Pool>> {
    use std::hash::BuildHasher;
    let h = foldhash::fast::FixedState::with_seed(0x5eed).hash_one(s);
    &POOLS[(h >> 60) as usize % SHARDS]
}

impl Shared {
    /// The shared copy of `s`.
    pub fn new(s: &str) -> Shared {
        let mut guard = shard(s).lock().unwrap_or_else(PoisonError::into_inner);
        let pool = guard.get_or_insert_with(|| Pool {
            texts: HashSet::default(),
            sweep_at: MIN_SWEEP / SHARDS,
        });
        if let Some(t) = pool.texts.get(s) {
            return Shared(Arc::clone(t));
        }
        if pool.texts.len() >= pool.sweep_at {
            // Only the pool hands out new holders of its texts, and only under this lock: a
            // count of one cannot go up meanwhile.
            pool.texts.retain(|t| Arc::strong_count(t) > 1);
            pool.sweep_at = (pool.texts.len() * 2).max(MIN_SWEEP / SHARDS);
        }
        let t: Arc<str> = Arc::from(s);
        pool.texts.insert(Arc::clone(&t));
        Shared(t)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Shared {
        Shared::new(s)
    }
}

impl serde::Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Shared {
    /// Read as a `String` is (the same errors), then shared, without a copy of its own.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_string(SharedVisitor)
    }
}

/// Takes a text as the reader has it (borrowed or not) straight into the pool.
struct SharedVisitor;

impl serde::de::Visitor<'_> for SharedVisitor {
    type Value = Shared;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Shared, E> {
        Ok(Shared::new(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Shared, E> {
        match std::str::from_utf8(v) {
            Ok(s) => Ok(Shared::new(s)),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_copy_and_read_as_written() {
        let a = Shared::new("Dr Shared Test");
        let b = Shared::new(&String::from("Dr Shared Test"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, "Dr Shared Test");
        assert_eq!(a.to_string(), "Dr Shared Test");
        assert_eq!(format!("{a:?}"), format!("{:?}", "Dr Shared Test"));
        assert_ne!(Shared::new("µmol/L"), Shared::new("umol/L"));
    }

    #[test]
    fn texts_nobody_holds_are_swept() {
        for i in 0..3 * MIN_SWEEP {
            let _ = Shared::new(&format!("sweep test {i}"));
        }
        let kept = Shared::new("kept across sweeps");
        for i in 0..3 * MIN_SWEEP {
            let _ = Shared::new(&format!("sweep test again {i}"));
        }
        let len: usize = POOLS
            .iter()
            .map(|p| p.lock().unwrap().as_ref().map_or(0, |p| p.texts.len()))
            .sum();
        assert!(len <= 4 * MIN_SWEEP, "{len} texts in the pool");
        assert!(Arc::ptr_eq(&kept.0, &Shared::new("kept across sweeps").0));
    }
}
