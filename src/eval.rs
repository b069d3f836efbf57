//! Evaluating a classifier: argmax, accuracy, confusion counts.
//!
//! For a network whose output scores `C` classes and data labelled with [`Class<C>`],
//! [`accuracy`] and [`confusion`] need nothing else: the predicted class is the
//! [`argmax`]. For anything else (a single sigmoid output, labels of another type),
//! [`accuracy_by`] and [`confusion_by`] take how to predict and how to label.

use crate::layer::Layer;
use crate::loss::Class;
use crate::scalar::Scalar;

/// The index of the largest value (the first one on ties; NaNs are never the largest).
/// Returns 0 for an empty slice or one of NaNs only. This is the predicted class of a
/// network whose output scores the classes (logits or probabilities).
///
/// It takes an array or a slice, so it can be passed as the `predict` function of
/// [`accuracy_by`] and [`confusion_by`].
///
/// ```
/// assert_eq!(typenet::argmax(&[0.1, 2.0, -1.0, 2.0]), 1);
/// let scores: &[f32] = &[3.0, 4.0];
/// assert_eq!(typenet::argmax(scores), 1);
/// ```
pub fn argmax<T: Scalar, V: AsRef<[T]> + ?Sized>(values: &V) -> usize {
    let values = values.as_ref();
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        // A NaN never wins, and any number beats a NaN that happens to be first.
        if !v.is_nan() && (v > values[best] || values[best].is_nan()) {
            best = i;
        }
    }
    best
}

/// Counts of (actual class, predicted class) pairs over `C` classes: a confusion matrix.
///
/// `counts[a][p]` is how many samples of class `a` were predicted as `p`, so the diagonal
/// holds the right answers. Its [`Display`](core::fmt::Display) prints the table with
/// actual classes as rows.
///
/// ```
/// use typenet::Confusion;
/// let mut c = Confusion::<2>::new();
/// c.add(0, 0);
/// c.add(1, 1);
/// c.add(1, 0);
/// assert_eq!(c.counts, [[1, 0], [1, 1]]);
/// assert_eq!(c.correct(), 2);
/// assert!((c.accuracy() - 2.0 / 3.0).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confusion<const C: usize> {
    /// `counts[actual][predicted]`.
    pub counts: [[u32; C]; C],
    /// Pairs that named a class `>= C` and so could not be counted.
    pub out_of_range: u32,
}

impl<const C: usize> Default for Confusion<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const C: usize> Confusion<C> {
    /// An empty matrix.
    pub const fn new() -> Self {
        Self {
            counts: [[0; C]; C],
            out_of_range: 0,
        }
    }

    /// Counts one sample of class `actual` predicted as `predicted`. A class `>= C` is
    /// counted in [`out_of_range`](Self::out_of_range) instead.
    pub fn add(&mut self, actual: usize, predicted: usize) {
        match self
            .counts
            .get_mut(actual)
            .and_then(|row| row.get_mut(predicted))
        {
            Some(n) => *n = n.saturating_add(1),
            None => self.out_of_range = self.out_of_range.saturating_add(1),
        }
    }

    /// How many samples were counted (out-of-range pairs excluded).
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().map(|&n| u64::from(n)).sum()
    }

    /// How many were predicted right: the sum of the diagonal.
    pub fn correct(&self) -> u64 {
        (0..C).map(|k| u64::from(self.counts[k][k])).sum()
    }

    /// The fraction predicted right, in `[0, 1]` (0 if nothing was counted).
    pub fn accuracy(&self) -> f64 {
        match self.total() {
            0 => 0.0,
            n => self.correct() as f64 / n as f64,
        }
    }
}

impl<const C: usize> core::fmt::Display for Confusion<C> {
    /// The table, rows = actual class, columns = predicted class.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "actual \\ predicted")?;
        for p in 0..C {
            write!(f, " {p:>4}")?;
        }
        for (a, row) in self.counts.iter().enumerate() {
            write!(f, "\n{a:>18}")?;
            for n in row {
                write!(f, " {n:>4}")?;
            }
        }
        Ok(())
    }
}

/// Runs `net` on every input of `data`, labelled with [`Class<C>`], and counts
/// (actual, predicted) classes, the predicted class being the [`argmax`] of the output.
/// The network's output must score exactly the `C` classes (checked at compile time).
///
/// ```
/// use typenet::{Class, Dense, confusion};
/// // a fixed "network" that scores class 0 by x₀ and class 1 by x₁
/// let net = Dense::<2, 2>::new([[1.0, 0.0], [0.0, 1.0]], [0.0; 2]);
/// let data = [([1.0, 0.0], Class::new(0).unwrap()), ([0.0, 1.0], Class::new(0).unwrap())];
/// assert_eq!(confusion(&net, &data).counts, [[1, 1], [0, 0]]);
/// ```
pub fn confusion<N, const C: usize>(net: &N, data: &[(N::Input, Class<C>)]) -> Confusion<C>
where
    N: Layer<Output = [<N as Layer>::Scalar; C]>,
{
    confusion_by(net, data, argmax, |t| t.index())
}

/// The fraction of `data`, labelled with [`Class<C>`], whose class is the [`argmax`] of
/// `net`'s output, which must score exactly the `C` classes; 0 for no data.
///
/// ```
/// use typenet::{Class, Dense, accuracy};
/// let net = Dense::<2, 2>::new([[1.0, 0.0], [0.0, 1.0]], [0.0; 2]);
/// let test = [([1.0, 0.0], Class::new(0).unwrap()), ([0.0, 1.0], Class::new(0).unwrap())];
/// assert_eq!(accuracy(&net, &test), 0.5);
/// ```
pub fn accuracy<N, const C: usize>(net: &N, data: &[(N::Input, Class<C>)]) -> f64
where
    N: Layer<Output = [<N as Layer>::Scalar; C]>,
{
    accuracy_by(net, data, argmax, |t| t.index())
}

/// Runs `net` on every input of `data` and counts (actual, predicted) classes:
/// `predict` turns an output into a class (for example [`argmax`], or a threshold for a
/// single sigmoid output), `label` turns a target into one.
///
/// ```
/// use typenet::{Dense, Sigmoid, argmax, confusion_by};
/// // one sigmoid output: class 1 above one half; targets are [0.0] or [1.0]
/// let net = (Dense::<1, 1>::new([[1.0]], [0.0]), Sigmoid::<1>::new());
/// let data = [([2.0], [1.0]), ([-2.0], [0.0]), ([1.0], [0.0])];
/// let c = confusion_by::<_, _, 2>(&net, &data, |y| usize::from(y[0] > 0.5), |t| usize::from(t[0] > 0.5));
/// assert_eq!(c.counts, [[1, 1], [0, 1]]);
/// // one-hot targets: argmax on both sides
/// let net = Dense::<2, 2>::new([[1.0, 0.0], [0.0, 1.0]], [0.0; 2]);
/// let data = [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [1.0, 0.0])];
/// assert_eq!(confusion_by::<_, _, 2>(&net, &data, argmax, argmax).counts, [[1, 1], [0, 0]]);
/// ```
pub fn confusion_by<N: Layer, Tg, const C: usize>(
    net: &N,
    data: &[(N::Input, Tg)],
    predict: impl Fn(&N::Output) -> usize,
    label: impl Fn(&Tg) -> usize,
) -> Confusion<C> {
    let mut c = Confusion::new();
    for (x, t) in data {
        c.add(label(t), predict(&net.forward(x)));
    }
    c
}

/// The fraction of `data` that `net` classifies right (see [`confusion_by`] for `predict`
/// and `label`); 0 for no data.
///
/// ```
/// use typenet::{Dense, Sigmoid, accuracy_by};
/// let net = (Dense::<1, 1>::new([[1.0]], [0.0]), Sigmoid::<1>::new());
/// let data = [([2.0], [1.0]), ([-2.0], [0.0]), ([1.0], [0.0])];
/// let acc = accuracy_by(&net, &data, |y| usize::from(y[0] > 0.5), |t| usize::from(t[0] > 0.5));
/// assert!((acc - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn accuracy_by<N: Layer, Tg>(
    net: &N,
    data: &[(N::Input, Tg)],
    predict: impl Fn(&N::Output) -> usize,
    label: impl Fn(&Tg) -> usize,
) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let right = data
        .iter()
        .filter(|(x, t)| predict(&net.forward(x)) == label(t))
        .count();
    right as f64 / data.len() as f64
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn argmax_ties_nans_and_empty() {
        assert_eq!(argmax(&[1.0f32, 3.0, 3.0]), 1);
        assert_eq!(argmax(&[f64::NAN, 0.5, f64::NAN, 2.0]), 3);
        assert_eq!(argmax(&[f64::NAN, f64::NAN]), 0);
        assert_eq!(argmax::<f32, [f32]>(&[]), 0);
        assert_eq!(argmax(&[-5.0f32]), 0);
    }

    #[test]
    fn out_of_range_pairs_are_counted_apart() {
        let mut c = Confusion::<3>::new();
        c.add(2, 2);
        c.add(3, 0);
        c.add(0, 7);
        assert_eq!((c.total(), c.out_of_range, c.correct()), (1, 2, 1));
        assert_eq!(Confusion::<3>::new().accuracy(), 0.0);
    }

    #[test]
    fn class_labels_need_no_functions() {
        use crate::Dense;
        // scores class k by x_k: right on the first two samples, wrong on the third
        let net = Dense::<3, 3>::new(
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            [0.0; 3],
        );
        let class = |k| Class::<3>::new(k).unwrap();
        let data = [
            ([0.9, 0.0, 0.1], class(0)),
            ([0.0, 0.2, 0.1], class(1)),
            ([0.5, 0.0, 0.1], class(2)),
        ];
        assert_eq!(accuracy(&net, &data), 2.0 / 3.0);
        let c = confusion(&net, &data);
        assert_eq!(c.counts, [[1, 0, 0], [0, 1, 0], [1, 0, 0]]);
        // the same through the general forms, with argmax passed as a function
        assert_eq!(accuracy_by(&net, &data, argmax, |t| t.index()), 2.0 / 3.0);
        let by = confusion_by::<_, _, 3>(&net, &data, argmax, |t: &Class<3>| t.index());
        assert_eq!(by, c);
        assert_eq!(accuracy(&net, &data[..0]), 0.0);
    }

    #[cfg(feature = "std")]
    #[test]
    fn display_is_a_table() {
        let mut c = Confusion::<2>::new();
        c.add(1, 0);
        let s = std::format!("{c}");
        assert_eq!(
            s,
            "actual \\ predicted    0    1\n                 0    0    0\n                 1    1    0"
        );
    }
}
