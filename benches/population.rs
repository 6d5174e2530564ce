//! Population-scale screening at 100,000 generated patient files, measured in one run:
//! reading + TOML-parsing alone (all cores) against `report --format csv` end to end (read,
//! parse, check, evaluate, write; streamed as the command does), with the
//! ratio printed; the streamed JSON report's throughput; and the binary's peak memory for each
//! report (via /usr/bin/time when present). Run: `cargo bench --bench population`
//! (POPULATION=N to change the size; the files are generated once under target/bench-data).

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
    let err = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = err
        .lines()
        .find(|l| l.contains("Maximum resident set size"))?
        .rsplit(':')
        .next()?
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let n: usize = std::env::var("POPULATION")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = queue_dir(n);
    let runs = 3;
    // The baseline: merely read every file and parse it as TOML (no checks, no evaluation),
    // on all cores.
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|f| f.extension().is_some_and(|x| x == "toml"));
    let parse = time(runs, || {
        files
            .par_iter()
            .filter(|f| {
                std::fs::read_to_string(f)
                    .ok()
                    .and_then(|t| t.parse::<toml::Table>().ok())
                    .is_some()
            })
            .count()
    });
    let csv = time(runs, || {
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
    });
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
        "read + TOML-parse only median of {runs}: {:>8.2} s",
        parse.as_secs_f64()
    );
    println!(
        "report --format csv   median of {runs}: {:>8.2} s",
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
