//! Property tests: arbitrary bytes never make a loader or the engine panic; a valid profile
//! always yields four matches; removing a fact never turns a known answer into the other
//! known answer — pass or fail can only become unknown; the fast (screening) and explaining
//! evaluation paths agree criterion by criterion and cohort by cohort; and the worklist's note
//! input edits like a list of characters.

use chrono::NaiveDate;
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;
use trialmatch::eval::{Ctx, Truth, eval, truth};
use trialmatch::generate::{Rng, judgement_ids, patient};
use trialmatch::load::{Source, load, parse_patient};
use trialmatch::patient::recorded::{RECORDED, Slot};
use trialmatch::patient::{Patient, prepare};
use trialmatch::rank::{State, match_trial_with, rank_with};
use trialmatch::trial::{Trial, load_trial};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

fn trials() -> &'static [Trial] {
    static T: OnceLock<Vec<Trial>> = OnceLock::new();
    T.get_or_init(|| {
        load(
            &Source::Paths(vec![PathBuf::from("trials")]),
            &Source::Paths(vec![]),
            as_of(),
        )
        .trials
    })
}

/// The judgements the record decides where it can (`known_or_attested`): criterion and part.
fn fallback_judgements() -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for c in trials().iter().flat_map(|t| &t.criteria) {
        c.rule.visit(&mut |r| {
            if let trialmatch::trial::Rule::KnownOrAttested { part, .. } = r {
                out.push((c.id.clone(), part.clone()));
            }
        });
    }
    out
}

/// A generated, structurally valid patient's text for a seed.
fn profile_text(seed: u64) -> String {
    let judgement = judgement_ids(trials());
    patient(&mut Rng::new(seed), 1, as_of(), &judgement)
}

/// Every criterion's state for a prepared patient, in trial file order.
fn states(p: &trialmatch::patient::Profile) -> Vec<(String, State)> {
    let mut out = Vec::new();
    for t in trials() {
        for c in &t.criteria {
            let cx = trialmatch::eval::Ctx {
                patient: p,
                as_of: as_of(),
                criterion: &c.id,
                explain: false,
            };
            out.push((
                c.id.clone(),
                State::from_truth(c.kind, trialmatch::eval::truth(&c.rule, &cx)),
            ));
        }
    }
    out
}

/// Removes one fact (chosen by `pick`), together with any "checked: complete" claim that the
/// removal would otherwise turn into a false statement. Returns what was removed.
fn remove_fact(p: &mut Patient, pick: usize) -> String {
    let mut options: Vec<String> = Vec::new();
    for name in [
        "dob",
        "sex",
        "weight",
        "height",
        "cardiac",
        "status",
        "reproductive",
        "checked",
    ] {
        options.push(name.to_string());
    }
    for d in &p.diagnosis {
        options.push(format!("diagnosis:{}", d.code.get_ref()));
    }
    for t in &p.treatment {
        options.push(format!("treatment:{}", t.drug.get_ref()));
    }
    for c in &p.condition {
        options.push(format!("condition:{}", c.category.get_ref()));
    }
    for l in &p.lab {
        options.push(format!("lab:{}", l.get_ref().name));
    }
    for s in &p.score {
        options.push(format!("score:{}", s.name.get_ref()));
    }
    for a in &p.attestation {
        options.push(format!("attestation:{}", a.criterion.get_ref()));
    }
    for a in &p.allergy {
        options.push(format!("allergy:{}", a.substance));
    }
    let choice = options[pick % options.len()].clone();
    let (kind, what) = choice.split_once(':').unwrap_or((choice.as_str(), ""));
    match kind {
        "dob" => p.dob = None,
        "sex" => p.sex = None,
        "weight" => p.weight = None,
        "height" => p.height = None,
        "cardiac" => p.cardiac = None,
        "status" => p.status = None,
        "reproductive" => p.reproductive = None,
        "checked" => p.checked = None,
        "diagnosis" => {
            p.diagnosis.retain(|d| d.code.get_ref() != what);
            if let Some(c) = &mut p.checked {
                c.diagnoses = false;
            }
        }
        "treatment" => {
            p.treatment.retain(|t| t.drug.get_ref() != what);
            if let Some(c) = &mut p.checked {
                c.treatments = false;
            }
        }
        "condition" => {
            p.condition.retain(|c| c.category.get_ref() != what);
            if let Some(c) = &mut p.checked {
                c.conditions.retain(|x| x.get_ref() != what);
            }
        }
        "lab" => p.lab.retain(|l| l.get_ref().name != what),
        "score" => p.score.retain(|s| s.name.get_ref() != what),
        "attestation" => p.attestation.retain(|a| a.criterion.get_ref() != what),
        "allergy" => {
            p.allergy.retain(|a| a.substance != what);
            if let Some(c) = &mut p.checked {
                c.allergies = false;
            }
        }
        _ => {}
    }
    choice
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_loaders(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_patient("fuzz.toml", &text, as_of());
        let _ = load_trial("fuzz.toml", &text);
        let _ = trialmatch::load::text_of("fuzz.toml", bytes);
    }

    #[test]
    fn arbitrary_text_around_a_valid_profile_never_panics(seed in any::<u64>(), cut in any::<usize>(), junk in "[ -~\n]{0,40}") {
        // A valid profile cut at a random place and spliced with junk: a realistic broken file.
        let text = profile_text(seed);
        let mut at = cut % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let broken = format!("{}{junk}{}", &text[..at], &text[at..]);
        if let Ok((p, _)) = parse_patient("broken.toml", &broken, as_of()) {
            prop_assert_eq!(rank_with(trials(), &p, as_of(), true).len(), 4);
        }
    }

    #[test]
    fn a_valid_profile_always_yields_four_matches(seed in any::<u64>()) {
        let text = profile_text(seed);
        let (p, problems) = parse_patient("g.toml", &text, as_of()).expect("generated profiles parse");
        prop_assert!(problems.is_empty(), "{:?}", problems);
        let fast = rank_with(trials(), &p, as_of(), false);
        let explained = rank_with(trials(), &p, as_of(), true);
        prop_assert_eq!(fast.len(), 4);
        prop_assert_eq!(explained.len(), 4);
        for (a, b) in fast.iter().zip(&explained) {
            prop_assert_eq!(a.trial, b.trial);
            prop_assert_eq!(a.best().counts, b.best().counts);
        }
    }

    #[test]
    fn removing_a_fact_only_ever_makes_answers_unknown(seed in any::<u64>(), pick in any::<usize>()) {
        let text = profile_text(seed);
        let raw: Patient = toml::from_str(&text).expect("generated profiles parse");
        let (before, _) = prepare("g.toml", &text, raw.clone(), as_of());
        let mut less = raw;
        let removed = remove_fact(&mut less, pick);
        // A judgement that the record decides where it can (`known_or_attested`) is answered
        // by its attestation once the record no longer can: removing a fact then lets a
        // recorded judgement speak, which is the rule working, not a fact assumed. Such
        // attestations go with any removed fact, so that only the record is compared.
        if !removed.starts_with("attestation") {
            let fallback = fallback_judgements();
            less.attestation.retain(|a| {
                !fallback.contains(&(a.criterion.get_ref().to_string(), a.part.clone()))
            });
        }
        let (after, _) = prepare("g.toml", &text, less, as_of());
        for ((id, a), (_, b)) in states(&before).into_iter().zip(states(&after)) {
            if a != State::Unknown {
                prop_assert!(b == a || b == State::Unknown, "{}: {:?} became {:?} after removing {}", id, a, b, removed);
            }
        }
    }
}

/// A value for a recorded number: in range, on a bound, just outside, far outside, or not a
/// number at all (the file may hold anything TOML can write).
fn recorded_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0u32..=200).prop_map(f64::from),
        2 => -20.0f64..6000.0,
        1 => prop::sample::select(vec![
            -1.0,
            0.0,
            1.0,
            4.0,
            5.0,
            6.0,
            100.0,
            100.5,
            5200.0,
            5201.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]),
    ]
}

/// Sets each recorded number whose table the profile has to the value given for it, or
/// removes it (`None`), through the same table the engine reads.
fn set_recorded(p: &mut Patient, values: &[Option<f64>]) {
    for (fact, v) in RECORDED.iter().zip(values) {
        let span = 0..0;
        match (fact.slot)(p) {
            Some(Slot::Real(x)) => {
                *x = v.map(|v| trialmatch::patient::spanned::Spanned::new(span, v))
            }
            Some(Slot::Whole(x)) => {
                *x = v.map(|v| trialmatch::patient::spanned::Spanned::new(span, v.round() as i64))
            }
            None => {}
        }
    }
}

/// The state of every criterion of every trial (and every cohort's disease rule) on the fast
/// path, and the same on the explaining path: they must be equal.
fn both_paths(p: &trialmatch::patient::Profile, day: NaiveDate) -> Vec<(String, Truth, Truth)> {
    let mut out = Vec::new();
    for t in trials() {
        let rules = t.criteria.iter().map(|c| (c.id.as_str(), &c.rule)).chain(
            t.cohorts
                .iter()
                .filter_map(|k| Some((k.id.as_str(), k.disease_rule.as_ref()?))),
        );
        for (id, rule) in rules {
            let cx = |explain| Ctx {
                patient: p,
                as_of: day,
                criterion: id,
                explain,
            };
            let fast = truth(rule, &cx(false));
            let explained = eval(rule, &cx(true));
            out.push((id.to_string(), fast, explained.truth));
            // The fast path explains nothing, and `eval` without explaining is the fast path.
            let bare = eval(rule, &cx(false));
            assert_eq!(bare.truth, fast, "{id}: eval without explaining");
            assert!(bare.reason.is_empty() && bare.missing.is_empty(), "{id}");
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// `truth` (the screening path) and `eval(...).truth` with explanations agree for every
    /// criterion of the four shipped trials, and `match_trial_with` gives the same counts per
    /// cohort either way: on generated profiles with a fact removed, recorded numbers set to
    /// anything (in range, out of range, not a number), and as-of dates other than the one
    /// the profile was prepared for (derived values computed afresh).
    #[test]
    fn the_fast_and_explained_paths_agree(
        seed in any::<u64>(),
        pick in any::<usize>(),
        remove in any::<bool>(),
        values in prop::collection::vec(prop::option::of(recorded_value()), RECORDED.len()),
        set in any::<bool>(),
        shift in -4000i64..400,
    ) {
        let text = profile_text(seed);
        let mut raw: Patient = toml::from_str(&text).expect("generated profiles parse");
        if remove {
            remove_fact(&mut raw, pick);
        }
        if set {
            set_recorded(&mut raw, &values);
        }
        let (p, _) = prepare("g.toml", &text, raw, as_of());
        let other = as_of() + chrono::Duration::days(shift);
        for day in [as_of(), other] {
            for (id, fast, explained) in both_paths(&p, day) {
                prop_assert_eq!(fast, explained, "{} on {}", id, day);
            }
            for (i, t) in trials().iter().enumerate() {
                let counts = |explain| {
                    match_trial_with(i, t, &p, day, explain)
                        .cohorts
                        .into_iter()
                        .map(|c| (c.cohort, c.counts))
                        .collect::<Vec<_>>()
                };
                prop_assert_eq!(counts(false), counts(true), "{} on {}", t.id, day);
            }
        }
    }
}

/// One edit of the note input, for the model test below.
fn edit() -> impl Strategy<Value = trialmatch::tui::input::Edit> {
    use trialmatch::tui::input::Edit;
    prop_oneof![
        4 => prop::sample::select(vec!['a', 'é', '中', '😀', ' ', '|', '\u{7}'])
            .prop_map(Edit::Insert),
        1 => Just(Edit::Left),
        1 => Just(Edit::Right),
        1 => Just(Edit::Home),
        1 => Just(Edit::End),
        1 => Just(Edit::Backspace),
        1 => Just(Edit::Delete),
        1 => Just(Edit::ClearToStart),
    ]
}

proptest! {
    /// The note input edits exactly as a list of characters with a cursor would: no edit
    /// splits a multi-byte character, loses text, or moves the cursor out of the text;
    /// control characters and characters past the limit are refused.
    #[test]
    fn the_note_input_behaves_like_a_list_of_characters(
        edits in prop::collection::vec(edit(), 0..80),
    ) {
        use trialmatch::tui::input::{Edit, TextInput};
        let max = 12;
        let mut input = TextInput::new(max);
        let (mut chars, mut cursor): (Vec<char>, usize) = (Vec::new(), 0);
        for e in edits {
            input.apply(e);
            match e {
                Edit::Insert(c) if !c.is_control() && chars.len() < max => {
                    chars.insert(cursor, c);
                    cursor += 1;
                }
                Edit::Insert(_) => {}
                Edit::Left => cursor = cursor.saturating_sub(1),
                Edit::Right => cursor = (cursor + 1).min(chars.len()),
                Edit::Home => cursor = 0,
                Edit::End => cursor = chars.len(),
                Edit::Backspace if cursor > 0 => {
                    cursor -= 1;
                    chars.remove(cursor);
                }
                Edit::Backspace => {}
                Edit::Delete if cursor < chars.len() => {
                    chars.remove(cursor);
                }
                Edit::Delete => {}
                Edit::ClearToStart => {
                    chars.drain(..cursor);
                    cursor = 0;
                }
            }
            prop_assert_eq!(input.text(), chars.iter().collect::<String>());
            prop_assert_eq!(input.cursor(), cursor);
            prop_assert_eq!(
                input.before_cursor(),
                chars[..cursor].iter().collect::<String>()
            );
        }
    }
}
