//! Embeds the shipped trials and sample patients in the binary, so an installed `trialmatch`
//! works from any folder (`src/load.rs` uses them when ./trials or ./sample-patients is absent).

use std::fmt::Write;
use std::path::Path;

fn list(dir: &str) -> Vec<String> {
    println!("cargo:rerun-if-changed={dir}");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let mut out = String::new();
    for (name, dir) in [("TRIALS", "trials"), ("PATIENTS", "sample-patients")] {
        let files = list(dir);
        let _ = writeln!(out, "pub const {name}: &[(&str, &str)] = &[");
        for f in files {
            let path = Path::new(&root).join(dir).join(&f);
            let _ = writeln!(
                out,
                "    ({:?}, include_str!({:?})),",
                format!("{dir}/{f}"),
                path.display().to_string()
            );
        }
        let _ = writeln!(out, "];");
    }
    let dest =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("embedded.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}
