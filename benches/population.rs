//! Population-scale screening at 100,000 generated patient files, measured in one run:
//! reading + TOML-parsing alone (the floor: a separate process of its own, all cores) against
//! `report --format csv` end to end (read, parse, check, evaluate, write; streamed as the
//! command does), each run once to warm the page cache and then timed, with the ratio printed;
//! the streamed JSON report's throughput; the binary's peak memory for each report (via
//! /usr/bin/time when present); and the UI's load at 10,000 patients (files read, checked and
//! evaluated, as its loading thread does) on a first start, without the parsed-profile cache,
//! and a second start, with it, each against the floor of the same files — in process, and as
//! the release binary in a terminal (tmux, `benches/ui_peak_rss.sh`) — and the UI's peak memory
//! at 100,000 on a first and a second start.
//! Run: `cargo build --release && cargo bench --bench population` (POPULATION=N to change the
//! size; the files are generated once under target/bench-data).

mod support;

use rayon::prelude::*;
use std::process::Command;
use std::time::{Duration, Instant};
use support::*;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

/// Peak resident memory of the release binary running `args`, in MiB.
fn peak_rss_mib(args: &[&str]) -> Option<f64> {
    let bin = std::path::Path::new("target/release/trialmatch");
    if !bin.exists() || !std::path::Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin)
        .args(args)
        .stdout(std::process::Stdio::null())
        .output()
        .ok()?;
    max_rss_mib(&String::from_utf8_lossy(&out.stderr))
}

/// The "Maximum resident set size" of `/usr/bin/time -v`'s output, in MiB.
fn max_rss_mib(time_output: &str) -> Option<f64> {
    let kb: f64 = time_output
        .lines()
        .find(|l| l.contains("Maximum resident set size"))?
        .rsplit(':')
        .next()?
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Set in the floor's own process: the folder to read and parse.
const FLOOR: &str = "TRIALMATCH_BENCH_FLOOR";

/// The floor, run in a process of its own: read every file of the folder and parse it as
/// TOML (no checks, no evaluation), on all cores.
fn bare_parse(dir: &std::path::Path) -> usize {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|f| f.extension().is_some_and(|x| x == "toml"));
    files
        .par_iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .ok()
                .and_then(|t| t.parse::<toml::Table>().ok())
                .is_some()
        })
        .count()
}

/// The floor's time for `dir`: this bench run again as a separate process that only reads and
/// parses (whole process, as the report is timed).
fn floor(runs: usize, dir: &std::path::Path) -> Duration {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    time(runs, || {
        let ok = Command::new(&exe)
            .env(FLOOR, dir)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "the floor's process failed");
    })
}

/// The release binary's UI on `dir`, run in tmux by `benches/ui_peak_rss.sh` with its cache in
/// `cache_home`: (seconds from start to fully loaded, as the UI's own timings line says; peak
/// memory in MiB). None where tmux, /usr/bin/time or the binary is missing.
fn ui_binary(dir: &std::path::Path, cache_home: &std::path::Path) -> Option<(f64, f64)> {
    let have = |p: &str| std::path::Path::new(p).exists();
    let tmux = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !tmux || !have("/usr/bin/time") || !have("target/release/trialmatch") {
        return None;
    }
    let timings = cache_home.join("timings.txt");
    let _ = std::fs::remove_file(&timings);
    let out = Command::new("sh")
        .arg("benches/ui_peak_rss.sh")
        .arg(dir)
        .env("TRIALMATCH_TIMINGS", &timings)
        .env("XDG_CACHE_HOME", cache_home)
        .output()
        .ok()?;
    let mib = max_rss_mib(&String::from_utf8_lossy(&out.stdout))?;
    let line = std::fs::read_to_string(&timings).ok()?;
    let ms: f64 = line.rsplit("loaded_ms=").next()?.trim().parse().ok()?;
    Some((ms / 1000.0, mib))
}

/// The UI's load of `dir` as its loading thread does it (files read and checked, every
/// patient ranked), with the parsed-profile cache at `cache` (None: without one). The cache
/// is written after the queue shows, so its writing is timed apart: (load, writing).
fn ui_load(dir: &std::path::Path, cache: Option<&std::path::Path>) -> (Duration, Duration) {
    let t = Instant::now();
    let c = cache.map(trialmatch::cache::ProfileCache::open);
    let ws = trialmatch::load::load_cached(
        &trialmatch::load::Source::Paths(vec!["trials".into()]),
        &trialmatch::load::Source::Paths(vec![dir.to_path_buf()]),
        as_of(),
        &trialmatch::load::Progress::default(),
        c.as_ref(),
    );
    let app = trialmatch::tui::App::new(ws, as_of());
    let loaded = t.elapsed();
    std::hint::black_box(&app);
    let t = Instant::now();
    if let Some(c) = c {
        c.save().unwrap_or_else(|e| panic!("cache: {e}"));
    }
    (loaded, t.elapsed())
}

fn ui_start(runs: usize) {
    let n = 10_000;
    let dir = queue_dir(n);
    let cache = std::path::PathBuf::from("target/bench-data/cache-q10000.bin");
    let floor = floor(runs, &dir);
    let fresh = median(
        (0..runs)
            .map(|_| {
                let _ = std::fs::remove_file(&cache);
                ui_load(&dir, Some(&cache)).0
            })
            .collect(),
    );
    let second = median((0..runs).map(|_| ui_load(&dir, Some(&cache)).0).collect());
    let without = median((0..runs).map(|_| ui_load(&dir, None).0).collect());
    let r = |d: Duration| d.as_secs_f64() / floor.as_secs_f64();
    println!("UI load, {n} patients, median of {runs}, against the floor of the same files:");
    println!(
        "  read + TOML-parse only (separate process): {:>6.3} s",
        floor.as_secs_f64()
    );
    println!(
        "  without the cache (--no-cache):           {:>6.3} s  ratio {:.2}",
        without.as_secs_f64(),
        r(without)
    );
    println!(
        "  first start (cache written after):        {:>6.3} s  ratio {:.2}",
        fresh.as_secs_f64(),
        r(fresh)
    );
    println!(
        "  second start (from the cache):            {:>6.3} s  ratio {:.2} (target ≤ 0.6)",
        second.as_secs_f64(),
        r(second)
    );
    // The same, as a person sees it: the release binary in a terminal (tmux), from its start
    // to the patient list drawn, worklist opened and jemalloc as allocator.
    let Ok(home) = tempfile::tempdir() else {
        return;
    };
    let first = ui_binary(&dir, home.path());
    let seconds: Vec<f64> = (0..runs)
        .filter_map(|_| ui_binary(&dir, home.path()).map(|(s, _)| s))
        .collect();
    match (first, seconds.is_empty()) {
        (Some((first, _)), false) => {
            let mut v = seconds;
            v.sort_by(f64::total_cmp);
            let second = v[v.len() / 2];
            let f = floor.as_secs_f64();
            println!("  the release binary in tmux (benches/ui_peak_rss.sh, UI's own timings):");
            println!(
                "    first start {first:.3} s  ratio {:.2}; second start, median of {}: {second:.3} s  ratio {:.2} (target ≤ 0.6)",
                first / f,
                v.len(),
                second / f
            );
        }
        _ => println!(
            "  the release binary in tmux: not measured (needs tmux, /usr/bin/time and target/release/trialmatch)"
        ),
    }
}

fn main() {
    if let Some(dir) = std::env::var_os(FLOOR) {
        std::hint::black_box(bare_parse(std::path::Path::new(&dir)));
        return;
    }
    // `cargo bench` passes --bench; nothing else to parse.
    let n: usize = std::env::var("POPULATION")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let runs = 3;
    ui_start(runs);
    let dir = queue_dir(n);
    // Both warm: each read once before it is timed.
    let _ = floor(1, &dir);
    let parse = floor(runs, &dir);
    let report_csv = || {
        let out = Command::new("target/release/trialmatch")
            .args([
                "report",
                "--format",
                "csv",
                "--as-of",
                "2026-11-22",
                "--patients",
            ])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .status();
        assert!(
            out.is_ok_and(|s| s.success()),
            "run `cargo build --release` first"
        );
    };
    report_csv();
    let csv = time(runs, report_csv);

    let mut bytes = 0usize;
    let json = time(1, || {
        let ws = load_dir(&dir);
        let mut counter = Counter(0);
        trialmatch::report::write_json(&ws, as_of(), &mut counter).unwrap_or_default();
        bytes = counter.0;
    });
    println!(
        "population: {n} generated patient files, {} cores",
        std::thread::available_parallelism().map_or(1, |c| c.get())
    );
    println!(
        "read + TOML-parse only (separate process) median of {runs}: {:>8.2} s",
        parse.as_secs_f64()
    );
    println!(
        "report --format csv   median of {runs} (after one to warm): {:>8.2} s",
        csv.as_secs_f64()
    );
    println!(
        "ratio csv / parse: {:.2} (target ≤ 1.5)",
        csv.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "report --format json  one run: {:.2} s, {:.0} MB, {:.1} MB/s, {:.0} patients/s",
        json.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / json.as_secs_f64(),
        n as f64 / json.as_secs_f64()
    );
    let d = dir.display().to_string();
    for format in ["csv", "json"] {
        match peak_rss_mib(&[
            "report",
            "--format",
            format,
            "--as-of",
            "2026-11-22",
            "--patients",
            &d,
        ]) {
            Some(m) => {
                println!("peak memory, report --format {format}: {m:.0} MiB (target ≤ 1024)")
            }
            None => println!(
                "peak memory, report --format {format}: not measured (needs target/release/trialmatch and /usr/bin/time)"
            ),
        }
    }
    ui_peak(&dir);
}

/// The UI's peak memory at `dir`: a first start (writing the cache) and a second (reading it).
fn ui_peak(dir: &std::path::Path) {
    let Ok(home) = tempfile::tempdir() else {
        return;
    };
    for start in ["first", "second"] {
        match ui_binary(dir, home.path()) {
            Some((s, mib)) => println!(
                "peak memory, UI {start} start: {mib:.0} MiB (target ≤ 1024), fully loaded in {s:.2} s"
            ),
            None => println!(
                "peak memory, UI: not measured (needs tmux, /usr/bin/time and target/release/trialmatch)"
            ),
        }
    }
}

/// Counts bytes written, discarding them.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
