//! Fuzz target: arbitrary bytes as a trial file — parsed, rules compiled, criteria document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (trial, _problems) = trialmatch::trial::load_trial("fuzz.toml", text);
        if let Some(t) = trial {
            let _ = trialmatch::criteria_doc::render(std::slice::from_ref(&t));
        }
    }
});
