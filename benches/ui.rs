//! Terminal-UI benchmarks at 1k, 10k and 100k generated patients (parsed in memory once per
//! size, outside the timed loops): building the App (fast ranking, list rows, order), one
//! keystroke handled *and* its 160×48 frame drawn into a TestBackend (first filter character,
//! a further filter character, Backspace, scroll one row, drill into a study), and one frame
//! of the patient list, the match table and the queue overview alone. `cargo bench --bench ui`.
//!
//! Would nucleo-matcher be faster than fuzzy-matcher at 100k? For the expensive keystroke,
//! the first filter character (every patient's id, name, diagnoses, codes and open studies
//! searched, ~8 short strings each), probably yes, by a constant factor: nucleo's docs claim
//! it is "often around six times faster" than skim/fuzzy-matcher, mostly from matching
//! pre-converted haystacks (no UTF-8 decoding per call: skim copies every choice into a char
//! buffer first), an ASCII fast path with a memchr prefilter, and a cheaper scoring matrix.
//! Skim's yes/no answer comes from its cheap subsequence pre-check, so what nucleo would
//! mostly save is the decoding and, for low-selectivity first characters (nearly every string
//! matches), the scoring pass run on each hit. Every later character is already cheap here:
//! the filter narrows the previous result, and Backspace reuses the earlier one, so nucleo
//! would buy little there. It would also change what matches (whitespace splits a pattern
//! into atoms matched in any order, Unicode case folding and normalisation: "sjogren" finds
//! "Sjögren"), so it is a behaviour change to decide on, not a drop-in swap; it is not used.

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rayon::prelude::*;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use trialmatch::generate::{Rng, judgement_ids, patient};
use trialmatch::intake::FactEntry;
use trialmatch::intake::check::{verdict_changes, with_entry};
use trialmatch::load::{Source, Workspace, load, parse_patient};
use trialmatch::patient::Profile;
use trialmatch::trial::Trial;
use trialmatch::tui::app::{List, Screen};
use trialmatch::tui::intake::Entered;
use trialmatch::tui::worklist::Outcome;
use trialmatch::tui::{Action, App, view};

const SIZES: [(usize, &str); 3] = [(1_000, "1k"), (10_000, "10k"), (100_000, "100k")];
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

fn trials() -> Vec<Trial> {
    load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![]),
        as_of(),
    )
    .trials
}

/// `n` generated patients (seed 1), generated in order and parsed in parallel.
fn profiles(trials: &[Trial], n: usize) -> Vec<Profile> {
    let judgement = judgement_ids(trials);
    let mut rng = Rng::new(1);
    let texts: Vec<String> = (1..=n)
        .map(|i| patient(&mut rng, i, as_of(), &judgement))
        .collect();
    texts
        .par_iter()
        .enumerate()
        .filter_map(|(i, text)| {
            parse_patient(&format!("g{:06}.toml", i + 1), text, as_of())
                .ok()
                .map(|(p, _)| p)
        })
        .collect()
}

fn workspace(trials: &[Trial], patients: Vec<Profile>) -> Workspace {
    Workspace {
        trials: trials.to_vec(),
        patients,
        problems: Vec::new(),
    }
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap_or_else(|e| panic!("terminal: {e}"))
}

/// Draws the whole screen, as the event loop does after each key.
fn frame(t: &mut Terminal<TestBackend>, app: &App) {
    t.draw(|f| f.render_widget(app, f.area()))
        .unwrap_or_else(|e| panic!("draw: {e}"));
}

/// Times `key` (update + frame) `iters` times, running `reset` untimed after each.
fn keystroke(
    app: &mut App,
    t: &mut Terminal<TestBackend>,
    iters: u64,
    key: impl Fn(&mut App),
    reset: impl Fn(&mut App),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        key(app);
        frame(t, app);
        total += start.elapsed();
        reset(app);
    }
    total
}

fn ui(c: &mut Criterion) {
    let trials = trials();
    let mut g = c.benchmark_group("ui");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (n, label) in SIZES {
        let patients = profiles(&trials, n);

        // App construction: every patient ranked on the fast path, rows built, ordered. The
        // workspace is cloned before and the App dropped after each run, both untimed.
        g.sampling_mode(SamplingMode::Flat);
        if n >= 100_000 {
            g.warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_secs(40));
        } else if n >= 10_000 {
            g.measurement_time(Duration::from_secs(8));
        }
        g.bench_function(BenchmarkId::new("app_new", label), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let ws = workspace(&trials, patients.clone());
                    let start = Instant::now();
                    let app = App::new(ws, as_of());
                    total += start.elapsed();
                    drop(black_box(app));
                }
                total
            })
        });
        g.sampling_mode(SamplingMode::Auto)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));

        // A copy for the entry benchmark below (untimed; not at 100k, where it is not run).
        let spare = (n <= 10_000).then(|| patients.clone());
        let mut app = App::new(workspace(&trials, patients), as_of());
        app.update(Action::Resize {
            width: WIDTH,
            height: HEIGHT,
        });
        let mut t = terminal();
        frame(&mut t, &app);
        app.update(Action::Filter);

        // The first filter character searches every patient.
        g.bench_function(BenchmarkId::new("key_filter_first_char", label), |b| {
            b.iter_custom(|iters| {
                keystroke(
                    &mut app,
                    &mut t,
                    iters,
                    |a| a.update(Action::FilterInput('s')),
                    |a| a.update(Action::FilterBackspace),
                )
            })
        });
        // A further character searches only the previous result.
        app.update(Action::FilterInput('s'));
        g.bench_function(BenchmarkId::new("key_filter_next_char", label), |b| {
            b.iter_custom(|iters| {
                keystroke(
                    &mut app,
                    &mut t,
                    iters,
                    |a| a.update(Action::FilterInput('l')),
                    |a| a.update(Action::FilterBackspace),
                )
            })
        });
        // Backspace goes back to the earlier result.
        app.update(Action::FilterInput('l'));
        g.bench_function(BenchmarkId::new("key_filter_backspace", label), |b| {
            b.iter_custom(|iters| {
                keystroke(
                    &mut app,
                    &mut t,
                    iters,
                    |a| a.update(Action::FilterBackspace),
                    |a| a.update(Action::FilterInput('l')),
                )
            })
        });
        app.update(Action::FilterClear);
        frame(&mut t, &app);

        // Scroll the patient list one row.
        g.bench_function(BenchmarkId::new("key_scroll", label), |b| {
            b.iter_custom(|iters| {
                keystroke(
                    &mut app,
                    &mut t,
                    iters,
                    |a| a.update(Action::Down),
                    |a| {
                        if a.cursor(List::Patients).selected + 1 >= a.visible_patients().len() {
                            a.update(Action::Top);
                        }
                    },
                )
            })
        });

        // Drill into the selected patient's best study: explains that one patient.
        app.update(Action::Top);
        app.update(Action::NextPane);
        assert_eq!(app.focus(), List::Matches);
        g.bench_function(BenchmarkId::new("key_drill_in", label), |b| {
            b.iter_custom(|iters| {
                keystroke(
                    &mut app,
                    &mut t,
                    iters,
                    |a| a.update(Action::Open),
                    |a| {
                        a.update(Action::Back);
                        // Another patient each time, so nothing is cached.
                        a.update(Action::PrevPane);
                        a.update(Action::Down);
                        a.update(Action::NextPane);
                    },
                )
            })
        });
        app.update(Action::PrevPane);
        assert_eq!(app.screen(), Screen::Main);

        // One frame of each pane alone.
        let [_, body, _] = view::chrome(ratatui::layout::Rect::new(0, 0, WIDTH, HEIGHT));
        let [list, table] = view::main_panes(&app, body);
        g.bench_function(BenchmarkId::new("render_patient_list", label), |b| {
            b.iter(|| {
                t.draw(|f| view::patients::render(&app, list, f.buffer_mut()))
                    .unwrap_or_else(|e| panic!("draw: {e}"));
            })
        });
        g.bench_function(BenchmarkId::new("render_match_table", label), |b| {
            b.iter(|| {
                t.draw(|f| view::matches::render(&app, table, f.buffer_mut()))
                    .unwrap_or_else(|e| panic!("draw: {e}"));
            })
        });
        app.update(Action::Show(Screen::Overview));
        app.update(Action::Sort);
        g.bench_function(BenchmarkId::new("render_overview", label), |b| {
            b.iter(|| {
                t.draw(|f| view::overview::render(&app, body, f.buffer_mut()))
                    .unwrap_or_else(|e| panic!("draw: {e}"));
            })
        });
        black_box(&app);

        // A fact entered for one patient (an LVEF read out on the phone): the entry checked
        // against the patient as a file would be (merged, parsed, prepared), the verdicts it
        // changed found, the patient re-ranked in the list, and the frame drawn — everything
        // between Enter in the form and the new screen except the database write (one
        // synchronous SQLite commit, measured apart in the worklist tests' crash loop).
        if let Some(patients) = spare {
            let judgement = judgement_ids(&trials);
            let text = patient(&mut Rng::new(7), 1, as_of(), &judgement);
            let mut app = App::new(workspace(&trials, patients), as_of());
            app.update(Action::Resize {
                width: WIDTH,
                height: HEIGHT,
            });
            let at = 0;
            let before = app.patients()[at].clone();
            let candidate = FactEntry {
                seq: i64::MAX,
                patient: before.id().to_string(),
                fragment: "cardiac = { lvef = 58 }".into(),
                summary: "LVEF 58 %".into(),
                fact_date: None,
                source: "phone".into(),
                who: String::new(),
                at: chrono::Utc::now(),
                withdraws: None,
            };
            g.bench_function(BenchmarkId::new("entry_reevaluate_and_draw", label), |b| {
                b.iter(|| {
                    let Ok(mut profile) = with_entry(Some(&text), &[], &candidate, as_of()) else {
                        panic!("the entry is accepted");
                    };
                    profile.file = before.file.clone();
                    let changes = verdict_changes(&trials, Some(&before), &profile, as_of());
                    app.receive(Outcome::Entered {
                        patient: Some(at),
                        result: Ok(Entered {
                            seq: 1,
                            id: before.id().to_string(),
                            profile: Box::new(profile),
                            changes,
                        }),
                    });
                    frame(&mut t, &app);
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, ui);
criterion_main!(benches);
