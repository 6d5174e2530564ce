//! Patient-data hygiene: nothing reaches the network, input files are only read, what the app
//! writes is owner-only, and a crash prints no data.

use std::process::Command;

fn rust_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn no_network_code_and_no_network_crates() {
    for f in rust_files("src") {
        let text = std::fs::read_to_string(&f).expect("read");
        for banned in [
            "std::net",
            "TcpStream",
            "UdpSocket",
            "TcpListener",
            "ToSocketAddrs",
        ] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
    let lock = std::fs::read_to_string("Cargo.lock").expect("Cargo.lock");
    for krate in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "surf",
        "isahc",
        "attohttpc",
        "tokio",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{krate}\"")),
            "Cargo.lock pulls in the network crate {krate}"
        );
    }
}

#[cfg(unix)]
#[test]
fn input_files_are_only_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut before = Vec::new();
    for e in std::fs::read_dir("sample-patients").expect("dir") {
        let src = e.expect("entry").path();
        let dst = dir.path().join(src.file_name().expect("name"));
        std::fs::copy(&src, &dst).expect("copy");
        // Read-only files in a read-only folder: any attempt to write would fail.
        std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o400)).expect("chmod");
        before.push((
            dst.clone(),
            std::fs::read(&dst).expect("read"),
            std::fs::metadata(&dst).expect("meta").modified().ok(),
        ));
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let d = dir.path().display().to_string();
    for args in [
        vec!["check", "--patients", &d],
        vec!["report", "--format", "json", "--patients", &d],
        vec!["report", "--format", "csv", "--patients", &d],
        vec!["report", "--patients", &d],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
            .args(&args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (path, bytes, mtime) in &before {
        assert_eq!(
            &std::fs::read(path).expect("read"),
            bytes,
            "{} changed",
            path.display()
        );
        assert_eq!(
            &std::fs::metadata(path).expect("meta").modified().ok(),
            mtime
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        before.len(),
        "nothing new in the input folder"
    );
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
        .expect("chmod back");
}

#[test]
fn a_crash_prints_no_data() {
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .env(
            "TRIALMATCH_PANIC_TEST",
            "Jane Example, born 1980-01-01, HIV positive",
        )
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("internal error"), "{err}");
    assert!(
        !err.contains("Jane") && !err.contains("HIV") && !err.contains("1980"),
        "{err}"
    );
}
