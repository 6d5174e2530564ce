//! Engine benchmarks (criterion) at 1k, 10k and 100k generated patients: load and parse,
//! evaluation alone, ranking, and the CSV and JSON reports end to end. Run: `cargo bench --bench engine`.

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use support::*;
use trialmatch::eval::{Ctx, Truth, truth};
use trialmatch::rank::rank_with;

fn evaluation(c: &mut Criterion) {
    let trials = trials();
    let per_patient: usize = trials.iter().map(|t| t.criteria.len()).sum();
    let mut g = c.benchmark_group("evaluate");
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    for n in [1_000, 10_000, 100_000] {
        let patients = profiles(&trials, n);
        g.throughput(Throughput::Elements((patients.len() * per_patient) as u64));
        // Evaluation alone, one core: every criterion of every study for every patient.
        let day = as_of();
        g.bench_with_input(BenchmarkId::new("criteria", n), &patients, |b, ps| {
            b.iter(|| {
                let mut pass = 0usize;
                for p in ps {
                    for t in &trials {
                        for c in &t.criteria {
                            let cx = Ctx {
                                patient: p,
                                as_of: day,
                                criterion: &c.id,
                                explain: false,
                            };
                            pass += usize::from(truth(&c.rule, &cx) == Truth::True);
                        }
                    }
                }
                black_box(pass)
            })
        });
        g.throughput(Throughput::Elements(patients.len() as u64));
        // All patients × four studies, every cohort, ranked (fast path, one core).
        g.bench_with_input(BenchmarkId::new("rank", n), &patients, |b, ps| {
            b.iter(|| {
                for p in ps {
                    black_box(rank_with(&trials, p, as_of(), false));
                }
            })
        });
    }
    g.finish();
}

fn load_and_report(c: &mut Criterion) {
    let mut g = c.benchmark_group("files");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for n in [1_000, 10_000] {
        let dir = queue_dir(n);
        g.throughput(Throughput::Elements(n as u64));
        // Read and TOML-parse every file, on all cores.
        g.bench_function(BenchmarkId::new("load", n), |b| {
            b.iter(|| black_box(load_dir(&dir).patients.len()))
        });
        // `report --format csv` end to end: load, evaluate, write.
        g.bench_function(BenchmarkId::new("report_csv", n), |b| {
            b.iter(|| {
                let ws = load_dir(&dir);
                trialmatch::report::write_csv(&ws, as_of(), &mut std::io::sink())
                    .unwrap_or_default();
            })
        });
        // `report --format json` end to end (every criterion explained), streamed.
        g.bench_function(BenchmarkId::new("report_json", n), |b| {
            b.iter(|| {
                let ws = load_dir(&dir);
                trialmatch::report::write_json(&ws, as_of(), &mut std::io::sink())
                    .unwrap_or_default();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, evaluation, load_and_report);
criterion_main!(benches);
