//! Building a network in place, so that large networks need not pass through the stack.
//!
//! A network is a plain value: `Dense<784, 128>` is 401 920 bytes of weights, and
//! [`Layer::zeroed`](crate::Layer::zeroed) returns it by value. With optimisations the
//! compiler usually builds such a value where it ends up, but an unoptimised (debug) build
//! makes temporary copies on the stack, and a network, its gradients and an optimizer's
//! state for a 784 → 128 → 10 model add up to more than the 2 MiB stack of a test thread.
//!
//! With the `std` feature, `boxed_zeroed` allocates a network on the heap already
//! zeroed (by asking the allocator for zeroed memory, as `calloc` does), never building it
//! on the stack, and `boxed_initialized` then draws its parameters in place. This needs
//! to know that "all bytes zero" is a valid value of the type, which is what the
//! [`Zeroable`] marker says.
//!
//! Forward and backward passes keep only vectors on the stack (an input, an output, a
//! layer's cache), never a weight matrix, so once the network, its gradients and the
//! optimizer state are on the heap, training a large network needs about as much stack
//! as its widest layer's vectors.
//!
//! # Without `std`
//!
//! A `no_std` target has no allocator, so it must give big networks static storage: a
//! `static` built with `const fn`s (such as [`Dense::new`](crate::Dense::new)), or a `static mut` behind a
//! critical section, then trained with the optimizers' `with_state` constructors, which
//! take the state by reference. [`Layer::zeroed`](crate::Layer::zeroed) and
//! [`Layer::initialized`](crate::Layer::initialized) return by value, so on a small stack
//! they are for networks that fit in it (in release builds usually once, in debug builds a
//! few times over).

// One of the crate's audited `unsafe` sites (the others are in `kernels.rs`: the run-time
// choice of AVX2 kernels and their AVX lanes): the `Zeroable` impls, whose soundness is argued beside each, and the
// zeroed allocation in `boxed_zeroed`.
#![allow(unsafe_code)]

/// Types for which every byte being zero is a valid value, and — for layers — a value
/// equal to [`Layer::zeroed`](crate::Layer::zeroed) once
/// [`restore_defaults`](Zeroable::restore_defaults) has run.
///
/// Implemented for `f32`, `f64`, arrays of them, `PhantomData`, every layer that derives
/// [`Params`](trait@crate::Params) (the built-in ones do) and tuples of up to 12
/// `Zeroable` layers.
///
/// A struct whose fields are all `Zeroable` — a `#[derive(Network)]` network, say — gets
/// it with `#[derive(Zeroable)]` (see [the derive](macro@crate::Zeroable)). That derive is
/// separate from `Network` because it writes an `unsafe impl` into your crate, which a
/// crate with `#![forbid(unsafe_code)]` does not allow: such a crate derives `Network`
/// alone, and can keep a large network as a tuple instead.
///
/// # Safety
///
/// All-zero bytes must be a valid value of the type. Floats qualify (zero bits are
/// `+0.0`), as do arrays and structs made only of them, and zero-sized markers such as
/// `PhantomData`; references, `NonZero*` and most enums do not.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Zeroable`: all-zero bytes are not known to be a valid `{Self}`",
    label = "not known to be valid as all-zero bytes",
    note = "`#[derive(Zeroable)]` needs every field to be `Zeroable`: `f32`, `f64`, arrays of them, the built-in layers, tuples of them and structs that derive it"
)]
pub unsafe trait Zeroable: Sized {
    /// Puts back settings whose default is not zero, after a value was made from zero
    /// bytes. For a layer, `zero bytes + restore_defaults` must equal `Layer::zeroed()`:
    /// a [`LeakyRelu`](crate::LeakyRelu)'s slope goes back to its default, parameters stay zero.
    #[inline]
    fn restore_defaults(&mut self) {}
}

// SAFETY: the zero bit pattern of an IEEE 754 float is +0.0.
unsafe impl Zeroable for f32 {}
// SAFETY: as for f32.
unsafe impl Zeroable for f64 {}
// SAFETY: an array is its elements, each valid when zero; no padding between them.
unsafe impl<T: Zeroable, const N: usize> Zeroable for [T; N] {}
// SAFETY: zero-sized: no bytes to be invalid.
unsafe impl<T: ?Sized> Zeroable for core::marker::PhantomData<T> {}

// Every layer gets its impl from `#[derive(Params)]`.

macro_rules! zeroable_tuple {
    (first: $A0:ident $i0:tt $c0:ident, last: $AL:ident $iL:tt, all: [$($A:ident $i:tt $c:ident),+], $($rest:tt)*) => {
        // SAFETY: a tuple is its fields, each `Zeroable`.
        unsafe impl<$($A: Zeroable),+> Zeroable for ($($A,)+) {
            #[inline]
            fn restore_defaults(&mut self) {
                $(self.$i.restore_defaults();)+
            }
        }
    };
}
crate::chain::for_each_tuple!(zeroable_tuple);

#[cfg(feature = "alloc")]
pub use boxed::{boxed_initialized, boxed_zeroed};

#[cfg(feature = "alloc")]
mod boxed {
    use super::Zeroable;
    use crate::init::Init;
    use crate::layer::Layer;
    use alloc::alloc::{Layout, alloc_zeroed, handle_alloc_error};
    use alloc::boxed::Box;
    use rand_core::Rng;

    /// [`Layer::zeroed`], built directly on the heap: never on the stack, even in a debug
    /// build, so it works for networks larger than the stack.
    ///
    /// ```
    /// use typenet::{Dense, Layer, Relu, boxed_zeroed};
    /// type Big = (Dense<784, 128>, Relu<128>, Dense<128, 10>); // 407 KB
    /// let grads: Box<Big> = boxed_zeroed();
    /// assert!(grads.0.weights.iter().flatten().all(|&w| w == 0.0));
    /// ```
    pub fn boxed_zeroed<N: Layer + Zeroable>() -> Box<N> {
        let layout = Layout::new::<N>();
        if layout.size() == 0 {
            return zero_sized();
        }
        // SAFETY: the layout has a non-zero size, as `alloc_zeroed` requires.
        let ptr = unsafe { alloc_zeroed(layout) }.cast::<N>();
        if ptr.is_null() {
            handle_alloc_error(layout);
        }
        // SAFETY: `ptr` was allocated by the global allocator with `N`'s layout, which is
        // what `Box<N>` frees it with; it is properly aligned and non-null; and its bytes
        // are all zero, a valid `N` because `N: Zeroable`. (`Box::new_zeroed` does the same
        // but needs Rust 1.92, newer than this crate's minimum.)
        let mut net = unsafe { Box::from_raw(ptr) };
        net.restore_defaults();
        net
    }

    /// A zero-sized network: nothing to allocate. A function of its own, so that an
    /// unoptimised build does not reserve a slot for `N::zeroed()` in the frame of
    /// [`boxed_zeroed`] (a 2 MB frame for a 2 MB network, even where this branch is not
    /// taken).
    #[inline(never)]
    #[allow(clippy::unnecessary_box_returns)] // what `boxed_zeroed` returns
    fn zero_sized<N: Layer>() -> Box<N> {
        Box::new(N::zeroed())
    }

    /// [`Layer::initialized`], built directly on the heap (see [`boxed_zeroed`]).
    ///
    /// ```
    /// use typenet::{Dense, Init, Layer, SplitMix64, boxed_initialized};
    /// let a: Box<Dense<300, 100>> = boxed_initialized(Init::HeUniform, &mut SplitMix64::new(1));
    /// let b: Dense<300, 100> = Layer::initialized(Init::HeUniform, &mut SplitMix64::new(1));
    /// assert_eq!(*a, b);
    /// ```
    pub fn boxed_initialized<N: Layer + Zeroable, R: Rng + ?Sized>(
        init: Init,
        rng: &mut R,
    ) -> Box<N> {
        let mut net = boxed_zeroed::<N>();
        net.init_params(init, rng);
        net
    }
}

#[cfg(all(test, feature = "std"))]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Dense, Init, Layer, LeakyRelu, Softmax, SplitMix64};

    type Mixed = (
        Dense<3, 4, f64>,
        LeakyRelu<4, f64>,
        Dense<4, 2, f64>,
        Softmax<2, f64>,
    );

    #[test]
    fn boxed_zeroed_equals_zeroed_including_settings() {
        let boxed: std::boxed::Box<Mixed> = boxed_zeroed();
        assert_eq!(*boxed, Mixed::zeroed());
        assert_eq!(
            boxed.1.slope, 0.01,
            "the slope is a setting, restored to its default"
        );
    }

    #[test]
    fn boxed_initialized_equals_initialized() {
        let a: std::boxed::Box<Mixed> =
            boxed_initialized(Init::XavierUniform, &mut SplitMix64::new(5));
        let b: Mixed = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(5));
        assert_eq!(*a, b);
        assert!(a.0.weights[0][0] != 0.0);
    }

    #[test]
    fn zero_sized_networks_need_no_allocation() {
        let b: std::boxed::Box<(crate::Relu<4>, Softmax<4>)> = boxed_zeroed();
        assert_eq!(core::mem::size_of_val(&*b), 0);
        assert_eq!(b.1.forward(&[0.0; 4]), [0.25; 4]);
    }

    #[test]
    fn boxed_optimizer_state_steps_like_state_by_value() {
        use crate::{Adam, Momentum, Optimizer};
        let grads: Mixed = Layer::initialized(Init::Uniform, &mut SplitMix64::new(9));
        let start: Mixed = Layer::initialized(Init::Uniform, &mut SplitMix64::new(8));
        let (mut a, mut b) = (start, start);
        let mut by_value = Adam::new(0.1).unwrap();
        let mut boxed = Adam::<Mixed, std::boxed::Box<Mixed>>::boxed(0.1).unwrap();
        let (mut c, mut d) = (start, start);
        let mut m_value = Momentum::new(0.1, 0.9).unwrap().nesterov();
        let mut m_boxed = Momentum::<Mixed, std::boxed::Box<Mixed>>::boxed(0.1, 0.9)
            .unwrap()
            .nesterov();
        for _ in 0..3 {
            by_value.step(&mut a, &grads);
            boxed.step(&mut b, &grads);
            m_value.step(&mut c, &grads);
            m_boxed.step(&mut d, &grads);
        }
        assert_eq!(a, b);
        assert_eq!(c, d);
        assert_ne!(a, start);
        assert_ne!(c, start);
    }
}
