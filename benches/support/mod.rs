//! Shared set-up for the benchmarks: generated queues on disk (made once, reused) and in memory.

#![allow(dead_code)]

use chrono::NaiveDate;
use std::path::PathBuf;
use trialmatch::generate::{Rng, judgement_ids, patient};
use trialmatch::load::{Source, Workspace, load, parse_patient};
use trialmatch::patient::Profile;
use trialmatch::trial::Trial;

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

pub fn trials() -> Vec<Trial> {
    load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![]),
        as_of(),
    )
    .trials
}

/// `n` generated patients parsed in memory (seed 1).
pub fn profiles(trials: &[Trial], n: usize) -> Vec<Profile> {
    let judgement = judgement_ids(trials);
    let mut rng = Rng::new(1);
    (1..=n)
        .filter_map(|i| {
            let text = patient(&mut rng, i, as_of(), &judgement);
            parse_patient(&format!("g{i:06}.toml"), &text, as_of())
                .ok()
                .map(|(p, _)| p)
        })
        .collect()
}

/// A folder of `n` generated patient files under target/bench-data, written on first use.
pub fn queue_dir(n: usize) -> PathBuf {
    let dir = PathBuf::from(format!("target/bench-data/q{n}"));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = trials();
        trialmatch::generate::write_dir(&dir, n, 1, as_of(), &t)
            .unwrap_or_else(|e| panic!("generate: {e}"));
        let _ = std::fs::write(&done, b"");
    }
    dir
}

/// Loads a generated folder with the shipped trials.
pub fn load_dir(dir: &std::path::Path) -> Workspace {
    load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![dir.to_path_buf()]),
        as_of(),
    )
}
