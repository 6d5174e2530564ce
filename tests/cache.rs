//! The parsed-profile cache (`trialmatch::cache`): a patient read from the cache is the
//! patient read from its file — prepared profile and problems, lines and columns included —
//! for the samples, generated patients and every file of the bad-input corpus; a changed
//! file misses; a corrupt, truncated or foreign cache file is ignored and written anew; the
//! cache file is owner-only; and the UI's start (`--no-cache` aside) leaves one behind.

use std::path::{Path, PathBuf};
use trialmatch::cache::ProfileCache;
use trialmatch::load::{parse_patient, parse_patient_cached};

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// Every `*.toml` file of `dir`, with its text (files that are not UTF-8 are left out: they
/// never reach the parser).
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap_or_else(|e| panic!("{e}")).path();
        if p.extension().is_some_and(|x| x == "toml")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push((p.display().to_string(), text));
        }
    }
    out.sort();
    out
}

/// What loading makes of a file: the prepared profile and the problems, as text.
fn read(name: &str, text: &str, cache: Option<&ProfileCache>) -> String {
    let r = match cache {
        Some(c) => parse_patient_cached(name, text, as_of(), Some(c)),
        None => parse_patient(name, text, as_of()),
    };
    format!("{r:?}")
}

fn cache_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("cache").join("profiles.bin")
}

#[test]
fn a_cached_patient_is_the_patient_its_file_gives_problems_and_places_included() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let generated = dir.path().join("gen");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args([
            "--as-of",
            "2026-11-22",
            "generate",
            "--count",
            "200",
            "--seed",
            "3",
        ])
        .arg("--out")
        .arg(&generated)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all = files(Path::new("sample-patients"));
    all.extend(files(Path::new("tests/corpus/patients")));
    all.extend(files(&generated));
    assert!(all.len() > 250);
    let path = cache_file(&dir);
    // First run: every file parsed, and kept.
    let first = ProfileCache::open(&path);
    assert!(first.is_empty());
    let expected: Vec<String> = all.iter().map(|(n, t)| read(n, t, Some(&first))).collect();
    first.save().unwrap_or_else(|e| panic!("{e}"));
    // Second run: from the cache, the same in every detail.
    let second = ProfileCache::open(&path);
    let parsed_ok = all
        .iter()
        .filter(|(n, t)| !read(n, t, None).starts_with("Err"))
        .count();
    assert_eq!(second.len(), parsed_ok, "each file that parses is kept");
    for ((name, text), want) in all.iter().zip(&expected) {
        assert_eq!(
            &read(name, text, None),
            want,
            "{name}: cached on the first run"
        );
        assert_eq!(
            &read(name, text, Some(&second)),
            want,
            "{name}: from the cache"
        );
    }
    // A problem found in a cached patient names the same line and column as from its file.
    let (name, text) = all
        .iter()
        .find(|(n, _)| n.ends_with("lvef-150.toml"))
        .unwrap_or_else(|| panic!("lvef-150.toml"));
    assert!(read(name, text, Some(&second)).contains("line: Some("));
}

#[test]
fn a_changed_file_misses_and_a_kept_one_hits() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = cache_file(&dir);
    let text = std::fs::read_to_string("sample-patients/p03-sle-adult.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let c = ProfileCache::open(&path);
    assert!(c.get(&text).is_none());
    read("p03.toml", &text, Some(&c));
    c.save().unwrap_or_else(|e| panic!("{e}"));
    let c = ProfileCache::open(&path);
    assert!(c.get(&text).is_some(), "the same content hits");
    // One byte changed (the same length, the same modification time would not matter).
    let changed = text.replacen("pregnant = false", "pregnant = true ", 1);
    assert_eq!(changed.len(), text.len());
    assert!(c.get(&changed).is_none(), "changed content misses");
    let from_cache = read("p03.toml", &changed, Some(&c));
    assert_eq!(from_cache, read("p03.toml", &changed, None));
    assert!(from_cache.contains("pregnant: Some(true)"));
    // Dropped unsaved: nothing half-written is left beside the cache.
    drop(c);
    let left: Vec<_> = std::fs::read_dir(path.parent().unwrap_or(&path))
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(left, [std::ffi::OsString::from("profiles.bin")]);
}

#[test]
fn a_corrupt_truncated_or_foreign_cache_is_ignored_and_written_anew() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = cache_file(&dir);
    let text = std::fs::read_to_string("sample-patients/p07-pss-age65.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let c = ProfileCache::open(&path);
    read("p07.toml", &text, Some(&c));
    c.save().unwrap_or_else(|e| panic!("{e}"));
    let good = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(ProfileCache::open(&path).get(&text).is_some());
    let mut flipped = good.clone();
    // The first entry's first byte: right after the header (magic, format, build).
    let first = 8 + 4 + 4 + env!("CARGO_PKG_VERSION").len();
    flipped[first] ^= 0xff;
    let corrupt: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"not a cache at all".to_vec()),
        ("empty", Vec::new()),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("trailing bytes", [good.clone(), b"xx".to_vec()].concat()),
        ("another format version", {
            let mut v = good.clone();
            v[8] = 99;
            v
        }),
    ];
    for (what, bytes) in corrupt {
        std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let c = ProfileCache::open(&path);
        assert!(c.is_empty(), "{what}: ignored whole");
        assert_eq!(
            read("p07.toml", &text, Some(&c)),
            read("p07.toml", &text, None)
        );
        c.save().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            ProfileCache::open(&path).get(&text).is_some(),
            "{what}: written anew"
        );
    }
    // One damaged byte inside an entry: that entry fails its hash and is never trusted; the
    // patient is read from its file.
    std::fs::write(&path, &flipped).unwrap_or_else(|e| panic!("{e}"));
    let c = ProfileCache::open(&path);
    assert!(c.get(&text).is_none());
    assert_eq!(
        read("p07.toml", &text, Some(&c)),
        read("p07.toml", &text, None)
    );
}

#[cfg(unix)]
#[test]
fn the_cache_file_and_its_folder_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = cache_file(&dir);
    let text = std::fs::read_to_string("sample-patients/p01-ra-multi.toml").unwrap_or_default();
    let c = ProfileCache::open(&path);
    read("p01.toml", &text, Some(&c));
    c.save().unwrap_or_else(|e| panic!("{e}"));
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap_or(&path)), 0o700);
}
