//! Test-only proc macros whose output changes from one expansion to the next: a type
//! that is not the same twice. `derive(Zeroable)`'s own expansion is expanded before the
//! struct's field, so a derive that writes a field's type tokens again (in a where
//! clause, say) may see `f32` where the struct really holds a reference. The derive
//! tests use them to check that the derive judges each field by the type it really has.
//! Each macro counts its own calls, and each is used once per test crate.

use proc_macro::TokenStream;
use std::sync::atomic::{AtomicUsize, Ordering};

fn flip_after(calls: &AtomicUsize, n: usize) -> TokenStream {
    let early = calls.fetch_add(1, Ordering::Relaxed) < n;
    let ty = if early { "f32" } else { "&'static mut f32" };
    ty.parse().expect("a type")
}

/// `f32` the first time, `&'static mut f32` afterwards.
#[proc_macro]
pub fn flip(_: TokenStream) -> TokenStream {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    flip_after(&CALLS, 1)
}

/// `f32` the first two times, `&'static mut f32` afterwards.
#[proc_macro]
pub fn flip_late(_: TokenStream) -> TokenStream {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    flip_after(&CALLS, 2)
}
