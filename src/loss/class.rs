//! A class label that is known to be in range.

/// The index of one of `C` classes: the target of a classifier, checked once, when it is
/// made, to be below `C`.
///
/// Because a `Class<C>` can only hold `0..C`, a loss that takes it (such as
/// [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy)) has no out-of-range case to
/// handle at training time: a bad label in a data file is an error where the file is read.
///
/// ```
/// use typenet::Class;
/// let seven = Class::<10>::new(7).unwrap();
/// assert_eq!(seven.index(), 7);
/// assert!(Class::<10>::new(10).is_err());
/// assert_eq!(seven.one_hot::<f32>(), [0., 0., 0., 0., 0., 0., 0., 1., 0., 0.]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Class<const C: usize>(usize);

/// A class index that is not below the number of classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassOutOfRange {
    /// The index that was given.
    pub index: usize,
    /// The number of classes.
    pub classes: usize,
}

impl core::fmt::Display for ClassOutOfRange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "class {} is out of range for {} classes (0..{})",
            self.index, self.classes, self.classes
        )
    }
}

impl core::error::Error for ClassOutOfRange {}

impl<const C: usize> Class<C> {
    /// The class `index`.
    ///
    /// # Errors
    ///
    /// [`ClassOutOfRange`] if `index >= C`.
    pub const fn new(index: usize) -> Result<Self, ClassOutOfRange> {
        if index < C {
            Ok(Self(index))
        } else {
            Err(ClassOutOfRange { index, classes: C })
        }
    }

    /// The index, in `0..C`.
    pub const fn index(self) -> usize {
        self.0
    }

    /// The one-hot vector: 1 at the index, 0 elsewhere.
    pub fn one_hot<T: crate::Scalar>(self) -> [T; C] {
        let mut v = [T::zero(); C];
        v[self.0] = T::one();
        v
    }
}

impl<const C: usize> TryFrom<usize> for Class<C> {
    type Error = ClassOutOfRange;
    fn try_from(index: usize) -> Result<Self, ClassOutOfRange> {
        Self::new(index)
    }
}

impl<const C: usize> From<Class<C>> for usize {
    fn from(c: Class<C>) -> usize {
        c.0
    }
}
