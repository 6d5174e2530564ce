//! Fuzz target: arbitrary bytes as a patient file — checked as text, parsed, prepared, ranked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    if let Ok(text) = trialmatch::load::text_of("fuzz.toml", data.to_vec())
        && let Ok((p, _)) = trialmatch::load::parse_patient("fuzz.toml", &text, as_of)
    {
        let ws = trialmatch::load::load_trials(&trialmatch::load::Source::Embedded);
        let ranked = trialmatch::rank::rank(&ws.trials, &p, as_of);
        assert_eq!(ranked.len(), ws.trials.len());
    }
});
