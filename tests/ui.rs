//! Compile-error snapshots (trybuild): each `tests/ui/<what-is-wrong>.rs` must fail to
//! compile with exactly the message in its `.stderr`.
//!
//! Compiler messages change between releases, so the snapshots are pinned to one
//! toolchain, [`PINNED`], and skipped (with a note) on any other: a user on another
//! compiler still gets a green `cargo test`. `TYPENET_UI=1` runs them anyway (to see
//! what changed), `TYPENET_UI=0` skips them. Refresh the snapshots with
//! `TRYBUILD=overwrite cargo test --test ui` on the pinned toolchain.

use std::io::Write as _;
use std::process::Command;

/// The `rustc --version` the `.stderr` files were written with.
const PINNED: &str = "rustc 1.95.0";

/// Prints a note that `cargo test` shows even for a passing test: writing to the stderr
/// handle directly bypasses libtest's capture of `eprintln!`.
fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "note: {text}");
}

fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn ui() {
    let version = rustc_version().unwrap_or_else(|| "an unknown rustc".to_owned());
    let on_pinned = version == PINNED || version.starts_with(&format!("{PINNED} "));
    match std::env::var("TYPENET_UI").as_deref() {
        Ok("0") => {
            note("TYPENET_UI=0, compile-error snapshots skipped");
            return;
        }
        Ok("1") => {}
        _ if !on_pinned => {
            note(&format!(
                "compile-error snapshots skipped: they are pinned to {PINNED}, \
                 this is {version} (TYPENET_UI=1 runs them anyway)"
            ));
            return;
        }
        _ => {}
    }
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
    // Errors found while building, not while checking: the convolutional layers' size
    // checks are constants evaluated per instantiation, which `cargo check` (trybuild's
    // default) skips. A `pass` case makes trybuild build this directory.
    let built = trybuild::TestCases::new();
    built.pass("tests/ui_build/sizes_computed_by_the_macros.rs");
    built.compile_fail("tests/ui_build/[!s]*.rs");
}
