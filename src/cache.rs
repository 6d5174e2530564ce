//! The parsed-profile cache: reading TOML is most of the time a start takes (about 330 µs a
//! 4 KB patient file), so each patient file's parsed form is kept, keyed by the file's content
//! (a BLAKE3 hash of its bytes, never its modification time), in one owner-only file in the
//! platform cache folder. A file whose content changed misses and is parsed again; a cache
//! file that is corrupt, truncated, of another format version or of another trialmatch build
//! is ignored whole and written anew, never trusted. What is kept is the patient as read from
//! its file (every value with its place), before `patient::prepare`: preparation depends on
//! the screening date and is cheap, so it runs on every start and its problems are found
//! afresh, at the same lines and columns. It holds patient data, like the files it mirrors.

use crate::patient::model::Patient;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The first bytes of a cache file, then the format version and the build that wrote it; the
/// entries (content hash, length, patient in MessagePack); last, a BLAKE3 hash of all before.
const MAGIC: &[u8; 8] = b"TMCACHE\0";
const FORMAT: u32 = 1;
const BUILD: &str = env!("CARGO_PKG_VERSION");

type Key = [u8; 32];

/// The cache of one set of patient sources, loaded at start and written back at the end.
pub struct ProfileCache {
    path: PathBuf,
    /// Encoded patients by content hash, as read from the cache file.
    stored: HashMap<Key, Vec<u8>>,
    /// Encoded patients read from their files this run; and the keys of stored ones used.
    fresh: Mutex<HashMap<Key, Vec<u8>>>,
    used: Mutex<Vec<Key>>,
}

/// The cache file for the patient sources named `sources` (their paths, as given), in `dir`.
pub fn file_for(dir: &Path, sources: &[PathBuf]) -> PathBuf {
    let mut h = blake3::Hasher::new();
    for s in sources {
        let s = s.canonicalize().unwrap_or_else(|_| s.clone());
        h.update(s.as_os_str().as_encoded_bytes());
        h.update(b"\0");
    }
    let name = h.finalize().to_hex();
    dir.join(format!("profiles-{}.bin", &name[..16]))
}

/// The platform cache folder of trialmatch (on Linux `$XDG_CACHE_HOME/trialmatch` or
/// `~/.cache/trialmatch`).
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trialmatch").map(|d| d.cache_dir().to_path_buf())
}

fn key(text: &str) -> Key {
    *blake3::hash(text.as_bytes()).as_bytes()
}

impl ProfileCache {
    /// The cache kept at `path`, or an empty one when there is none or it cannot be trusted.
    pub fn open(path: &Path) -> ProfileCache {
        let stored = std::fs::read(path)
            .ok()
            .and_then(|bytes| decode_file(&bytes))
            .unwrap_or_default();
        ProfileCache {
            path: path.to_path_buf(),
            stored,
            fresh: Mutex::new(HashMap::new()),
            used: Mutex::new(Vec::new()),
        }
    }

    /// How many parsed files the cache held when opened.
    pub fn len(&self) -> usize {
        self.stored.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stored.is_empty()
    }

    /// The patient of a file whose content is `text`, as parsed before; None when the cache
    /// has no (readable) entry for exactly this content.
    pub fn get(&self, text: &str) -> Option<Patient> {
        let k = key(text);
        let bytes = self.stored.get(&k)?;
        let p = rmp_serde::from_slice(bytes).ok()?;
        if let Ok(mut used) = self.used.lock() {
            used.push(k);
        }
        Some(p)
    }

    /// Keeps the patient parsed from `text` for the next start.
    pub fn put(&self, text: &str, p: &Patient) {
        let Ok(bytes) = rmp_serde::to_vec_named(p) else {
            return;
        };
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.insert(key(text), bytes);
        }
    }

    /// Writes the entries used or added this run (those of files no longer read are
    /// dropped), owner-only, by replacing the file whole: a crash leaves the old cache or the
    /// new one, never half of one. Nothing is written when nothing changed.
    pub fn save(self) -> std::io::Result<()> {
        let fresh = self.fresh.into_inner().unwrap_or_default();
        let used = self.used.into_inner().unwrap_or_default();
        if fresh.is_empty() && used.len() == self.stored.len() {
            return Ok(());
        }
        let mut keep: HashMap<Key, Vec<u8>> = fresh;
        let mut stored = self.stored;
        for k in used {
            if let Some(v) = stored.remove(&k) {
                keep.insert(k, v);
            }
        }
        let mut out = Vec::with_capacity(keep.values().map(|v| v.len() + 36).sum::<usize>() + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&(BUILD.len() as u32).to_le_bytes());
        out.extend_from_slice(BUILD.as_bytes());
        out.extend_from_slice(&(keep.len() as u64).to_le_bytes());
        for (k, v) in &keep {
            out.extend_from_slice(k);
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            out.extend_from_slice(v);
        }
        // A damaged byte anywhere makes the whole file unread, never a wrong patient.
        let sum = blake3::hash(&out);
        out.extend_from_slice(sum.as_bytes());
        if let Some(dir) = self.path.parent() {
            crate::fsutil::create_private_dir(dir)?;
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let written = open.open(&tmp).and_then(|mut f| {
            f.write_all(&out)?;
            f.sync_all()
        });
        match written.and_then(|()| std::fs::rename(&tmp, &self.path)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}

/// The entries of a cache file, or None when it is not one this build wrote whole.
fn decode_file(bytes: &[u8]) -> Option<HashMap<Key, Vec<u8>>> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
    if blake3::hash(body).as_bytes() != sum {
        return None;
    }
    let mut r = Reader(body);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != FORMAT {
        return None;
    }
    let build_len = r.u32()? as usize;
    if r.take(build_len)? != BUILD.as_bytes() {
        return None;
    }
    let n = r.u64()?;
    let mut out = HashMap::new();
    for _ in 0..n {
        let k: Key = r.take(32)?.try_into().ok()?;
        let len = r.u32()? as usize;
        out.insert(k, r.take(len)?.to_vec());
    }
    // Anything after the last entry: not a file this build wrote.
    r.0.is_empty().then_some(out)
}

/// Reads a cache file front to back; None past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }
}
