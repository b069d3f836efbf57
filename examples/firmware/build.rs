//! Puts the target's memory map (`memory/*.x`) on the linker's search path as `memory.x` and
//! passes cortex-m-rt's `link.x`.
//!
//! The linker arguments come from here rather than from `rustflags` in
//! `.cargo/config.toml`, because a `RUSTFLAGS` environment variable silently replaces
//! those, and without `-Tlink.x` the image is empty and QEMU aborts.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // The Cortex-M0 (thumbv6m, QEMU's microbit) has 16K of RAM; the M3 and M4F share a map.
    // The maps live in memory/, not beside Cargo.toml, where the linker would find a
    // `memory.x` before the one written here.
    let m0 = env::var("TARGET").is_ok_and(|t| t.starts_with("thumbv6m"));
    let memory: &[u8] = if m0 {
        include_bytes!("memory/m0.x")
    } else {
        include_bytes!("memory/m3-m4f.x")
    };
    fs::write(out.join("memory.x"), memory).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-env-changed=TYPENET_EXTRA_PASSES");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
}
