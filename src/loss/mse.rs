//! Squared error with the ½ convention.

use super::Loss;
use crate::scalar::Scalar;
use core::marker::PhantomData;

/// Squared error over `N` outputs, with the textbook ½:
///
/// `E = ½ Σᵢ (yᵢ − tᵢ)²`,  `∂E/∂yᵢ = yᵢ − tᵢ`.
///
/// The ½ cancels the 2 that the derivative brings down, so the gradient is the plain error.
///
/// # Other conventions
///
/// PyTorch's `nn.MSELoss()` and dfdx's `mse_loss` take the **mean**:
/// `E_mean = (1/N) Σᵢ (yᵢ − tᵢ)²`, with `∂E_mean/∂yᵢ = (2/N)·(yᵢ − tᵢ)`.
/// So `E_mean = (2/N)·E` and every gradient is `2/N` times typenet's. To reproduce a
/// PyTorch run with learning rate `α`, use `α·2/N` here (for `N = 1`, twice the rate).
///
/// ```
/// use typenet::{Loss, Mse};
/// let mse = Mse::<2>::new();
/// assert_eq!(mse.loss(&[1.0, 3.0], &[0.0, 1.0]), 2.5); // ½ (1² + 2²)
/// assert_eq!(mse.gradient(&[1.0, 3.0], &[0.0, 1.0]), [1.0, 2.0]);
/// ```
pub struct Mse<const N: usize, T = f32> {
    _scalar: PhantomData<fn() -> T>,
}

impl<const N: usize, T> Mse<N, T> {
    /// The loss (it has no settings).
    pub const fn new() -> Self {
        Self {
            _scalar: PhantomData,
        }
    }
}

impl<const N: usize, T> Default for Mse<N, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, T> Clone for Mse<N, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<const N: usize, T> Copy for Mse<N, T> {}

/// Every `Mse<N, T>` equals every other: the loss has no settings.
impl<const N: usize, T> PartialEq for Mse<N, T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<const N: usize, T> Eq for Mse<N, T> {}

impl<const N: usize, T> core::fmt::Debug for Mse<N, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Mse<{N}>")
    }
}

impl<const N: usize, T: Scalar> Loss<[T; N]> for Mse<N, T> {
    type Scalar = T;
    type Target = [T; N];

    #[inline]
    fn loss(&self, y: &[T; N], t: &[T; N]) -> T {
        self.loss_and_gradient(y, t).0
    }

    #[inline]
    fn gradient(&self, y: &[T; N], t: &[T; N]) -> [T; N] {
        let mut g = *y;
        for (gi, &ti) in g.iter_mut().zip(t) {
            *gi = *gi - ti;
        }
        g
    }

    #[inline]
    fn loss_and_gradient(&self, y: &[T; N], t: &[T; N]) -> (T, [T; N]) {
        let g = self.gradient(y, t);
        let sum = g.iter().fold(T::zero(), |acc, &e| acc + e * e);
        (T::half() * sum, g)
    }
}
