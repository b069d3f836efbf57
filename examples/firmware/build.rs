//! Puts `memory.x` on the linker's search path and passes cortex-m-rt's `link.x`.
//!
//! The linker arguments come from here rather than from `rustflags` in
//! `.cargo/config.toml`, because a `RUSTFLAGS` environment variable silently replaces
//! those, and without `-Tlink.x` the image is empty and QEMU aborts.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
}
