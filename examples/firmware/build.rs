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
    // `tflite_person` (a 300 KB model) links with a 4M + 4M map of its own (run on the
    // M4F, mps2-an386, which has that much); every other binary with the map above. Each directory holds one
    // `memory.x`, passed per binary (a search path for all binaries would be found first).
    let big = out.join("m4f-4m");
    fs::create_dir_all(&big).expect("create m4f-4m/");
    fs::write(big.join("memory.x"), include_bytes!("memory/m4f-4m.x")).expect("write memory.x");
    let bins = fs::read_dir("src/bin").expect("read src/bin");
    for entry in bins {
        let path = entry.expect("read src/bin").path();
        let Some(bin) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let dir = if bin == "tflite_person" && !m0 {
            &big
        } else {
            &out
        };
        println!("cargo:rustc-link-arg-bin={bin}=-L{}", dir.display());
    }
    println!("cargo:rerun-if-changed=src/bin");
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-env-changed=TYPENET_EXTRA_PASSES");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
}
