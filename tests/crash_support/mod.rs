//! The SIGKILL loop the worklist's crash tests share: commands started two at a time and
//! killed at moments spread from "at once" to "twice an uninterrupted pair", so that every
//! stage of a write is hit; each command is named, and what matters is which reported success.

use std::process::Child;
use std::time::{Duration, Instant};

/// What the loop saw: the names of the commands that reported success, and how many were
/// killed before they could.
pub struct Outcome {
    pub succeeded: Vec<String>,
    pub killed: usize,
}

/// Runs `rounds` pairs of `spawn(round, writer)` (returning the command's name and its
/// process), the first pair uninterrupted (it must succeed), the others killed after a wait
/// growing from zero to twice the first pair's time.
pub fn sigkill_loop(rounds: usize, spawn: impl Fn(usize, usize) -> (String, Child)) -> Outcome {
    let pair = |round: usize, kill_after: Option<Duration>| {
        let children: Vec<(String, Child)> = (0..2).map(|k| spawn(round, k)).collect();
        if let Some(d) = kill_after {
            std::thread::sleep(d);
        }
        children
            .into_iter()
            .map(|(name, mut child)| {
                if kill_after.is_some() {
                    let _ = child.kill(); // SIGKILL; harmless if it has already exited
                }
                (name, child.wait().expect("waits").success())
            })
            .collect::<Vec<_>>()
    };
    let t0 = Instant::now();
    let first = pair(0, None);
    assert!(
        first.iter().all(|(_, ok)| *ok),
        "uninterrupted commands succeed"
    );
    let span = t0.elapsed();
    let mut out = Outcome {
        succeeded: first.into_iter().map(|(n, _)| n).collect(),
        killed: 0,
    };
    let half = (rounds / 2).max(1) as u32;
    for round in 1..=rounds {
        for (name, ok) in pair(round, Some(span * (round as u32 - 1) / half)) {
            if ok {
                out.succeeded.push(name);
            } else {
                out.killed += 1;
            }
        }
    }
    assert!(out.killed > 0, "some commands were killed");
    out
}

/// SQLite's own verdict on the file: "ok" when it is sound.
pub fn integrity(db: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(db).expect("opens");
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("checks")
}
