//! Restoring an optimizer's state, to resume an interrupted run.

use crate::layer::Layer;
use crate::scalar::Scalar;
use num_traits::{Float as _, Zero as _};

/// Why an optimizer refused saved state (see [`Adam::restore`](crate::Adam::restore) and
/// [`Momentum::restore`](crate::Momentum::restore)). The optimizer is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateError {
    /// A value of the state is NaN or infinite.
    NonFinite {
        /// Which part of the state (`"first moment"`, `"second moment"`, `"velocity"`).
        part: &'static str,
        /// The parameter's index, in [`Layer::visit_params`] order.
        index: usize,
    },
    /// A second moment (a running mean of squares) is negative.
    Negative {
        /// Which part of the state.
        part: &'static str,
        /// The parameter's index, in [`Layer::visit_params`] order.
        index: usize,
    },
}

impl core::fmt::Display for StateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StateError::NonFinite { part, index } => {
                write!(f, "the saved {part} is not finite at parameter {index}")
            }
            StateError::Negative { part, index } => {
                write!(f, "the saved {part} is negative at parameter {index}")
            }
        }
    }
}

impl core::error::Error for StateError {}

/// Checks that every parameter of `state` is finite and, if `non_negative`, not below 0.
pub(super) fn check<N: Layer>(
    state: &N,
    part: &'static str,
    non_negative: bool,
) -> Result<(), StateError> {
    let mut index = 0;
    let mut bad = None;
    state.visit_params(&mut |p| {
        for &v in p {
            if bad.is_none() {
                if !v.is_finite() {
                    bad = Some(StateError::NonFinite { part, index });
                } else if non_negative && v < N::Scalar::zero() {
                    bad = Some(StateError::Negative { part, index });
                }
            }
            index += 1;
        }
    });
    bad.map_or(Ok(()), Err)
}

/// Copies every parameter of `src` into `dst`.
pub(super) fn copy<N: Layer>(dst: &mut N, src: &N) {
    dst.zip_params(src, [], &mut |d, s, []| d.copy_from_slice(s));
}

/// `base` multiplied by itself `steps` times from 1, as a running product would be:
/// the same bits as `steps` updates of `p := p·base`. Stops early once the product no
/// longer changes (it underflowed to 0, or `base` is 1), so any `steps` is quick.
pub(super) fn running_power<T: Scalar>(base: T, steps: u64) -> T {
    let mut p = T::one();
    for _ in 0..steps {
        let next = p * base;
        if next == p {
            break;
        }
        p = next;
    }
    p
}
