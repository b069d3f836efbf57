//! Mini-batch training over a data set: epochs, batches, shuffling, progress.

use crate::batch::{self, BatchError};
use crate::layer::{Layer, Train};
use crate::loss::Loss;
use crate::optim::clip::check_max_norm;
use crate::optim::{InvalidSetting, KahanSum, Optimizer, StepError, clip_grad_norm, finite_slice};
use crate::scalar::{Scalar, Vector};
use crate::train::accumulate;
use core::ops::ControlFlow;
use rand_core::Rng;

/// A mini-batch training schedule: how many epochs, how large the batches, and whether to
/// clip gradients. [`fit`](Trainer::fit) runs it; [`fit_with`](Trainer::fit_with) also
/// calls a function after each epoch.
///
/// Each epoch shuffles the data in place (so no index array and no heap), cuts it into
/// batches of `batch_size` samples (the last one may be smaller), and for each batch sums
/// the samples' gradients, divides them by the batch's size (a **mean**, so the learning
/// rate does not depend on the batch size), optionally clips them, and takes one
/// optimizer step.
///
/// ```
/// use core::ops::ControlFlow;
/// use typenet::{Dense, Init, Layer, Mse, Momentum, Sigmoid, SplitMix64, Trainer};
/// type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
/// let mut rng = SplitMix64::new(1);
/// let mut net: Xor = Layer::initialized(Init::XavierUniform, &mut rng);
/// let mut grads = Xor::zeroed();
/// let mut data = [([0., 0.], [0.]), ([0., 1.], [1.]), ([1., 0.], [1.]), ([1., 1.], [0.])];
/// let mut opt = Momentum::new(0.5, 0.9)?;
/// let mut losses = Vec::new();
/// let last = Trainer::new(2000, 2)
///     .fit_with(&mut net, &mut grads, &Mse::new(), &mut opt, &mut data, &mut rng, |epoch, _net| {
///         losses.push(epoch.loss);
///         ControlFlow::Continue(())
///     })
///     .unwrap()
///     .unwrap();
/// assert_eq!(last.epoch, 2000);
/// assert!(last.loss < losses[0] / 10.0);
/// # Ok::<(), typenet::optim::InvalidSetting>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trainer<T = f32> {
    /// How many passes over the data.
    pub epochs: usize,
    /// Samples per optimizer step.
    pub batch_size: usize,
    /// If set, each batch's mean gradient is clipped to this global norm
    /// (see [`clip_grad_norm`]).
    pub max_grad_norm: Option<T>,
    /// Shuffle the data before each epoch (on by default).
    pub shuffle: bool,
}

/// What one epoch did, handed to the `on_epoch` callback of [`Trainer::fit_with`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochReport<T> {
    /// The epoch's number, from 1.
    pub epoch: usize,
    /// The mean loss per sample over the epoch (computed before each batch's update).
    pub loss: T,
    /// How many optimizer steps it took.
    pub batches: usize,
    /// How many batches had their gradient clipped.
    pub clipped: usize,
}

/// Why [`Trainer::fit`] (or another of the `fit` methods) stopped early. Whatever the error, the batch that raised it was
/// not applied: the network and the optimizer's state are those the previous batch left
/// (or untouched, for the errors found before training starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FitError {
    /// `batch_size` was 0.
    ZeroBatchSize,
    /// The workspace given to [`Trainer::with_workspace`] holds fewer scalars than
    /// [`Trainer::workspace_len`] asks for ([`BatchError::Workspace`]), or the batch size
    /// is too large for any workspace ([`BatchError::Overflow`]).
    Batch(BatchError),
    /// A setting is out of its range: the optimizer's (checked before each batch, since
    /// its fields are public) or the clipping norm (checked before training starts).
    Setting(InvalidSetting),
    /// An input holds a NaN or an infinity (checked for every sample before training
    /// starts). `sample` is its index in the data as given, before any shuffling.
    NonFiniteInput {
        /// The index of the sample.
        sample: usize,
    },
    /// A batch's loss was NaN or infinite (diverging training, or non-finite targets).
    NonFiniteLoss {
        /// The epoch, from 1.
        epoch: usize,
        /// The batch within the epoch, from 0.
        batch: usize,
    },
    /// A batch's mean gradient held a NaN or an infinity although its loss was finite
    /// (`0·∞` behind a saturated activation, or a sum that overflowed).
    NonFiniteGradient {
        /// The epoch, from 1.
        epoch: usize,
        /// The batch within the epoch, from 0.
        batch: usize,
    },
    /// The gradient was finite, but the optimizer's update would have made a parameter
    /// (or its own state) non-finite.
    NonFiniteUpdate {
        /// The epoch, from 1.
        epoch: usize,
        /// The batch within the epoch, from 0.
        batch: usize,
    },
}

impl core::fmt::Display for FitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FitError::ZeroBatchSize => write!(f, "the batch size must be at least 1"),
            FitError::Batch(e) => e.fmt(f),
            FitError::Setting(e) => e.fmt(f),
            FitError::NonFiniteInput { sample } => {
                write!(f, "the input of sample {sample} is not finite")
            }
            FitError::NonFiniteLoss { epoch, batch } => {
                write!(
                    f,
                    "the loss became non-finite in epoch {epoch}, batch {batch}"
                )
            }
            FitError::NonFiniteGradient { epoch, batch } => {
                write!(
                    f,
                    "the gradient became non-finite in epoch {epoch}, batch {batch}"
                )
            }
            FitError::NonFiniteUpdate { epoch, batch } => {
                write!(
                    f,
                    "the update would have made a parameter non-finite in epoch {epoch}, batch {batch}"
                )
            }
        }
    }
}

impl core::error::Error for FitError {}

impl From<BatchError> for FitError {
    fn from(e: BatchError) -> Self {
        FitError::Batch(e)
    }
}

impl From<InvalidSetting> for FitError {
    fn from(e: InvalidSetting) -> Self {
        FitError::Setting(e)
    }
}

impl<T: Scalar> Trainer<T> {
    /// `epochs` passes over the data in batches of `batch_size`, shuffled, not clipped.
    pub const fn new(epochs: usize, batch_size: usize) -> Self {
        Self {
            epochs,
            batch_size,
            max_grad_norm: None,
            shuffle: true,
        }
    }

    /// The same schedule with each batch's gradient clipped to global norm `max_norm`.
    ///
    /// A `const fn` (a schedule can be a `const`), so it cannot compare a generic float:
    /// a negative or NaN `max_norm` is reported by [`fit`](Self::fit) as
    /// [`FitError::Setting`] before anything runs.
    pub const fn clip_grad_norm(mut self, max_norm: T) -> Self {
        self.max_grad_norm = Some(max_norm);
        self
    }

    /// The same schedule without shuffling (the data is used in the order given).
    pub const fn no_shuffle(mut self) -> Self {
        self.shuffle = false;
        self
    }

    /// Scalars of workspace a [`BatchTrainer`] with this schedule needs for the network
    /// `N`: the batch's inputs, copied out of the (input, target) pairs, plus what
    /// [`accumulate_batch`](crate::accumulate_batch) needs for `batch_size` samples
    /// ([`batch::workspace_len`]). A `const fn`, so it can
    /// size an array or a `static`. A size beyond `usize` (a batch size near
    /// `usize::MAX`) gives `usize::MAX`, which no workspace holds: the batched `fit`
    /// then returns [`BatchError::Overflow`].
    ///
    /// ```
    /// use typenet::{Dense, Sigmoid, Trainer};
    /// type Net = (Dense<64, 32>, Sigmoid<32>, Dense<32, 10>);
    /// const LEN: usize = Trainer::<f32>::new(100, 32).workspace_len::<Net>();
    /// // 32 inputs of 64, and per sample 32 + 32 + 10 outputs and as many gradients,
    /// // plus the network's 10 outputs and their gradients
    /// assert_eq!(LEN, 32 * (64 + 2 * (32 + 32 + 10) + 2 * 10));
    /// ```
    pub const fn workspace_len<N: Layer<Scalar = T>>(&self) -> usize {
        match self.checked_workspace_len::<N>() {
            Some(len) => len,
            None => usize::MAX,
        }
    }

    /// [`workspace_len`](Self::workspace_len), or `None` if it overflows `usize`.
    const fn checked_workspace_len<N: Layer<Scalar = T>>(&self) -> Option<usize> {
        let Some(inputs) = self.batch_size.checked_mul(<N::Input as Vector<T>>::LEN) else {
            return None;
        };
        let Some(rest) = batch::checked_workspace_len::<N>(self.batch_size) else {
            return None;
        };
        inputs.checked_add(rest)
    }

    /// The same schedule run on the batched path ([`Layer::forward_batch`],
    /// [`Train::backward_batch`]: whole mini-batches through each layer, blocked matrix
    /// products for large `Dense` layers), in `workspace`: anything that holds a slice of
    /// at least [`workspace_len`](Self::workspace_len) scalars (`&mut [T]`, an array, a
    /// `Vec`). The library still allocates nothing.
    ///
    /// Training gives the same bits as [`fit`](Self::fit): the batched methods compute
    /// every number with the operations of the per-sample ones, in the same order. The
    /// exception is a network with a [`BatchNorm`](crate::BatchNorm): here it normalises
    /// with each batch's statistics and updates its running averages after each step
    /// ([`Train::forward_batch_train`], [`Train::after_batch_step`]); `fit` without a
    /// workspace keeps them fixed.
    ///
    /// ```
    /// use typenet::{Dense, Init, Layer, Mse, Momentum, Sigmoid, SplitMix64, Trainer};
    /// type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
    /// let start: Xor = Layer::initialized(Init::XavierUniform, &mut SplitMix64::new(1));
    /// let data = [([0., 0.], [0.]), ([0., 1.], [1.]), ([1., 0.], [1.]), ([1., 1.], [0.])];
    /// let schedule = Trainer::new(500, 2);
    ///
    /// let (mut a, mut grads) = (start, Xor::zeroed());
    /// let mut shuffled = data;
    /// schedule.fit(&mut a, &mut grads, &Mse::new(), &mut Momentum::new(0.5, 0.9)?,
    ///              &mut shuffled, &mut SplitMix64::new(2))?;
    ///
    /// let mut workspace = [0.0; Trainer::<f32>::new(500, 2).workspace_len::<Xor>()];
    /// let (mut b, mut shuffled) = (start, data);
    /// schedule.with_workspace(&mut workspace[..]).fit(&mut b, &mut grads, &Mse::new(),
    ///     &mut Momentum::new(0.5, 0.9)?, &mut shuffled, &mut SplitMix64::new(2))?;
    /// assert_eq!(a, b); // bit for bit
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_workspace<W: AsMut<[T]>>(self, workspace: W) -> BatchTrainer<T, W> {
        BatchTrainer {
            schedule: self,
            workspace,
        }
    }

    /// [`with_workspace`](Self::with_workspace) with a workspace on the heap, sized for
    /// `N` and this schedule's batch size.
    #[cfg(feature = "alloc")]
    pub fn batched<N: Layer<Scalar = T>>(self) -> BatchTrainer<T, alloc::vec::Vec<T>> {
        let len = self.workspace_len::<N>();
        self.with_workspace(alloc::vec![T::zero(); len])
    }

    /// Trains `net` on `data`, a slice of (input, target) pairs, which it shuffles in place
    /// with `rng`. `grads` is scratch space for the gradients (pass
    /// [`Layer::zeroed()`](Layer::zeroed), or a `boxed_zeroed` (with `alloc`) value
    /// for a large network).
    ///
    /// Returns the last epoch's report (`None` if no epoch ran: zero epochs or no data).
    /// To see every epoch's report, evaluate as training goes, or stop early, use
    /// [`fit_with`](Self::fit_with), which takes a callback.
    ///
    /// ```
    /// use typenet::{Dense, Init, Layer, Mse, Momentum, Sigmoid, SplitMix64, Trainer};
    /// type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);
    /// let mut rng = SplitMix64::new(1);
    /// let mut net: Xor = Layer::initialized(Init::XavierUniform, &mut rng);
    /// let mut grads = Xor::zeroed();
    /// let mut data = [([0., 0.], [0.]), ([0., 1.], [1.]), ([1., 0.], [1.]), ([1., 1.], [0.])];
    /// let last = Trainer::new(2000, 2)
    ///     .fit(&mut net, &mut grads, &Mse::new(), &mut Momentum::new(0.5, 0.9).unwrap(), &mut data, &mut rng)?
    ///     .expect("2000 epochs ran");
    /// assert!(last.loss < 0.01);
    /// # Ok::<(), typenet::FitError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`fit_with`](Self::fit_with).
    pub fn fit<N, L, O, R>(
        &self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &mut [(N::Input, L::Target)],
        rng: &mut R,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        R: Rng + ?Sized,
    {
        self.fit_with(net, grads, loss, optimizer, data, rng, |_, _| {
            ControlFlow::Continue(())
        })
    }

    /// [`fit`](Self::fit) with a callback: after every epoch, `on_epoch` gets the epoch's
    /// [`EpochReport`] and the network (to print progress or evaluate it); returning
    /// [`ControlFlow::Break`] stops training.
    ///
    /// To change the learning rate as training goes, pass the optimizer wrapped in a
    /// [`Scheduled`](crate::optim::Scheduled) with a
    /// [schedule](crate::optim::schedule) (step decay, cosine, warm-up).
    ///
    /// To resume an interrupted run with the same bits, save the network, the
    /// optimizer's state ([`Adam::restore`](crate::Adam::restore),
    /// [`Momentum::restore`](crate::Momentum::restore),
    /// [`Scheduled::restore`](crate::optim::Scheduled::restore)), the RNG's state, and
    /// the data in the order the last epoch left it (`fit` shuffles it in place).
    ///
    /// Returns the last epoch's report (`None` if no epoch ran: zero epochs or no data).
    ///
    /// # Errors
    ///
    /// Before anything runs: [`FitError::ZeroBatchSize`] if `batch_size` is 0,
    /// [`FitError::Setting`] for a negative or NaN clipping norm or an optimizer setting
    /// out of range, [`FitError::NonFiniteInput`] if an input holds a NaN or an infinity
    /// (every input is read once per call).
    ///
    /// During training, for each batch before its update: [`FitError::NonFiniteLoss`] if
    /// its loss is NaN or infinite (a non-finite target, a diverging network),
    /// [`FitError::NonFiniteGradient`] if its gradient is,
    /// [`FitError::NonFiniteUpdate`] if the optimizer's step would make a parameter
    /// non-finite (see [`Optimizer::try_step`]), [`FitError::Setting`] if an optimizer
    /// setting was changed out of range. That batch is then not applied (the network
    /// and the optimizer's state are as the previous batch left them) and training
    /// stops.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_with<N, L, O, R, F>(
        &self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &mut [(N::Input, L::Target)],
        rng: &mut R,
        on_epoch: F,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        R: Rng + ?Sized,
        F: FnMut(&EpochReport<T>, &N) -> ControlFlow<()>,
    {
        self.run(
            net,
            grads,
            loss,
            optimizer,
            Samples::Movable(data, rng),
            PerSample,
            on_epoch,
        )
    }

    /// [`fit_with`](Self::fit_with) without shuffling, on data it only reads: every epoch
    /// visits the samples in the order given. For data that cannot be moved, such as a
    /// table in a microcontroller's flash. Mini-batches of consecutive samples learn less
    /// well from sorted data (all of one class, then all of the next), so interleave it.
    /// It takes the callback, as `fit_with` does (pass `|_, _| ControlFlow::Continue(())`
    /// for none).
    ///
    /// # Errors
    ///
    /// As for [`fit`](Self::fit).
    ///
    /// ```
    /// use core::ops::ControlFlow;
    /// use typenet::{Dense, Layer, Mse, Sgd, Trainer};
    /// static DATA: [([f32; 1], [f32; 1]); 3] = [([0.0], [1.0]), ([1.0], [3.0]), ([2.0], [5.0])];
    /// let mut net = Dense::<1, 1>::zeroed();
    /// let mut grads = Dense::zeroed();
    /// let last = Trainer::new(500, 3)
    ///     .fit_in_order(&mut net, &mut grads, &Mse::new(), &mut Sgd::new(0.2)?, &DATA, |_, _| {
    ///         ControlFlow::Continue(())
    ///     })
    ///     .unwrap()
    ///     .unwrap();
    /// assert!(last.loss < 1e-4); // y = 2x + 1
    /// let line = Dense::<1, 1>::new([[2.0]], [1.0]);
    /// typenet::approx::assert_abs_diff_eq!(net, line, epsilon = 0.01);
    /// # Ok::<(), typenet::optim::InvalidSetting>(())
    /// ```
    pub fn fit_in_order<N, L, O, F>(
        &self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &[(N::Input, L::Target)],
        on_epoch: F,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        F: FnMut(&EpochReport<T>, &N) -> ControlFlow<()>,
    {
        self.run(
            net,
            grads,
            loss,
            optimizer,
            Samples::<_, NoRng>::Fixed(data),
            PerSample,
            on_epoch,
        )
    }

    /// The epoch loop shared by [`fit`](Self::fit), [`fit_in_order`](Self::fit_in_order) and
    /// their batched forms: shuffle (if the data may move and shuffling is on), one pass,
    /// report, stop when asked.
    #[allow(clippy::too_many_arguments)]
    fn run<N, L, O, R, A, F>(
        &self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        mut data: Samples<'_, (N::Input, L::Target), R>,
        mut batches: A,
        mut on_epoch: F,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        R: Rng + ?Sized,
        A: Accumulate<N, L>,
        F: FnMut(&EpochReport<T>, &N) -> ControlFlow<()>,
    {
        if self.batch_size == 0 {
            return Err(FitError::ZeroBatchSize);
        }
        if let Some(max) = self.max_grad_norm {
            check_max_norm(max)?;
        }
        optimizer.check_settings()?;
        // Each input once per call, before any shuffle, so the index is the caller's.
        let given: &[_] = match &data {
            Samples::Movable(d, _) => d,
            Samples::Fixed(d) => d,
        };
        if let Some(sample) = given.iter().position(|(x, _)| !finite_slice(x.as_slice())) {
            return Err(FitError::NonFiniteInput { sample });
        }
        let mut last = None;
        for epoch in 1..=self.epochs {
            let samples: &[_] = match &mut data {
                Samples::Movable(d, rng) => {
                    if self.shuffle {
                        shuffle(d, *rng);
                    }
                    d
                }
                Samples::Fixed(d) => d,
            };
            if samples.is_empty() {
                break;
            }
            let report = self.epoch(net, grads, loss, optimizer, samples, epoch, &mut batches)?;
            last = Some(report);
            if on_epoch(&report, net).is_break() {
                break;
            }
        }
        Ok(last)
    }

    /// One pass over `data` in its current order, on the batched path if given a
    /// workspace (checked by the caller).
    #[allow(clippy::too_many_arguments)]
    fn epoch<N, L, O, A>(
        &self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &[(N::Input, L::Target)],
        epoch: usize,
        batches: &mut A,
    ) -> Result<EpochReport<T>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        A: Accumulate<N, L>,
    {
        // An epoch can hold many thousands of losses: a compensated sum in the network's
        // scalar (an f64 sum would link software doubles into f32 firmware).
        let mut total = KahanSum::new();
        let mut report = EpochReport {
            epoch,
            loss: T::zero(),
            batches: 0,
            clipped: 0,
        };
        for (batch, chunk) in data.chunks(self.batch_size).enumerate() {
            grads.zero_params();
            let batch_loss = batches.chunk(net, grads, loss, chunk)?;
            if !batch_loss.is_finite() {
                return Err(FitError::NonFiniteLoss { epoch, batch });
            }
            total.add(batch_loss);
            grads.scale_params(T::one() / T::from_usize(chunk.len()));
            if let Some(max) = self.max_grad_norm
                && clip_grad_norm(grads, max)? > max
            {
                report.clipped += 1;
            }
            // The gradient and the update, checked before anything is written.
            optimizer.try_step(net, grads).map_err(|e| match e {
                StepError::Setting(s) => FitError::Setting(s),
                StepError::NonFiniteUpdate => FitError::NonFiniteUpdate { epoch, batch },
                _ => FitError::NonFiniteGradient { epoch, batch },
            })?;
            batches.after_step(net, chunk.len());
            report.batches += 1;
        }
        report.loss = total.get() / T::from_usize(data.len());
        Ok(report)
    }
}

/// A [`Trainer`] schedule run on the batched path, with its workspace: made by
/// [`Trainer::with_workspace`] (or `Trainer::batched`, with `alloc`). Its
/// [`fit`](Self::fit) and [`fit_in_order`](Self::fit_in_order) take the same arguments
/// as [`Trainer`]'s and give the same bits, faster for networks with large layers — but
/// for a [`BatchNorm`](crate::BatchNorm), which here normalises with each batch's
/// statistics and moves its running averages after each step.
///
/// Each batch's inputs are copied into the workspace (the data stays pairs, so shuffling
/// moves each sample in one piece), run forward through each layer as a batch, the
/// losses and their gradients computed sample by sample, then the batch runs backward
/// through each layer.
///
/// A network with a layer of width 0 (`Dense<0, 2>`, `Dense<3, 0>`, `Tanh<0>`) trains
/// with [`Trainer`], per sample:
///
/// ```
/// use core::ops::ControlFlow;
/// use typenet::{Dense, Layer, Mse, Sgd, SplitMix64, Tanh, Trainer};
/// type NoOutput = (Dense<3, 0>, Tanh<0>);
/// let (mut net, mut grads) = (NoOutput::zeroed(), NoOutput::zeroed());
/// let mut data = [([1.0, 2.0, 3.0], []); 4];
/// let mut sgd = Sgd::new(0.5).unwrap();
/// let go = |_: &_, _: &_| ControlFlow::Continue(());
/// Trainer::new(2, 2)
///     .fit_with(&mut net, &mut grads, &Mse::new(), &mut sgd, &mut data, &mut SplitMix64::new(0), go)
///     .unwrap();
/// ```
///
/// but has no batched form (a run of zero scalars in a workspace does not say how many
/// vectors it holds), and the batched path refuses it when the program is built (not by
/// `cargo check`, which does not instantiate generic code):
///
/// ```compile_fail
/// use core::ops::ControlFlow;
/// use typenet::{Dense, Layer, Mse, Sgd, SplitMix64, Tanh, Trainer};
/// type NoOutput = (Dense<3, 0>, Tanh<0>);
/// let (mut net, mut grads) = (NoOutput::zeroed(), NoOutput::zeroed());
/// let mut data = [([1.0, 2.0, 3.0], []); 4];
/// let mut sgd = Sgd::new(0.5).unwrap();
/// let go = |_: &_, _: &_| ControlFlow::Continue(());
/// Trainer::new(2, 2).batched::<NoOutput>()
///     .fit_with(&mut net, &mut grads, &Mse::new(), &mut sgd, &mut data, &mut SplitMix64::new(0), go)
///     .unwrap();
/// // error[E0080]: evaluation panicked: a layer of width 0 (0 inputs or 0 outputs) has
/// // no batched form: train such a network per sample (`train_step`, or `Trainer`
/// // without a workspace)
/// ```
#[derive(Clone, Debug)]
pub struct BatchTrainer<T, W> {
    /// The schedule: epochs, batch size, clipping, shuffling.
    pub schedule: Trainer<T>,
    workspace: W,
}

impl<T: Scalar, W: AsMut<[T]>> BatchTrainer<T, W> {
    /// [`Trainer::fit`] on the batched path.
    ///
    /// # Errors
    ///
    /// As [`fit_with`](Self::fit_with).
    pub fn fit<N, L, O, R>(
        &mut self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &mut [(N::Input, L::Target)],
        rng: &mut R,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        R: Rng + ?Sized,
    {
        self.fit_with(net, grads, loss, optimizer, data, rng, |_, _| {
            ControlFlow::Continue(())
        })
    }

    /// [`Trainer::fit_with`] on the batched path.
    ///
    /// # Errors
    ///
    /// As [`Trainer::fit_with`], and [`FitError::Batch`] (before anything runs) if the
    /// workspace is shorter than [`Trainer::workspace_len`].
    #[allow(clippy::too_many_arguments)]
    pub fn fit_with<N, L, O, R, F>(
        &mut self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &mut [(N::Input, L::Target)],
        rng: &mut R,
        on_epoch: F,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        R: Rng + ?Sized,
        F: FnMut(&EpochReport<T>, &N) -> ControlFlow<()>,
    {
        let (s, ws) = self.checked::<N>()?;
        s.run(
            net,
            grads,
            loss,
            optimizer,
            Samples::Movable(data, rng),
            InWorkspace(ws),
            on_epoch,
        )
    }

    /// [`Trainer::fit_in_order`] on the batched path.
    ///
    /// # Errors
    ///
    /// As [`fit`](Self::fit).
    pub fn fit_in_order<N, L, O, F>(
        &mut self,
        net: &mut N,
        grads: &mut N,
        loss: &L,
        optimizer: &mut O,
        data: &[(N::Input, L::Target)],
        on_epoch: F,
    ) -> Result<Option<EpochReport<T>>, FitError>
    where
        N: Train<Scalar = T>,
        L: Loss<N::Output, Scalar = T>,
        O: Optimizer<N>,
        F: FnMut(&EpochReport<T>, &N) -> ControlFlow<()>,
    {
        let (s, ws) = self.checked::<N>()?;
        s.run(
            net,
            grads,
            loss,
            optimizer,
            Samples::<_, NoRng>::Fixed(data),
            InWorkspace(ws),
            on_epoch,
        )
    }

    /// The schedule and the workspace, once both are checked.
    fn checked<N: Layer<Scalar = T>>(&mut self) -> Result<(Trainer<T>, &mut [T]), FitError> {
        let s = self.schedule;
        let ws = self.workspace.as_mut();
        let Some(needed) = s.checked_workspace_len::<N>() else {
            return Err(FitError::Batch(BatchError::Overflow {
                batch: s.batch_size,
            }));
        };
        if ws.len() < needed {
            return Err(FitError::Batch(BatchError::Workspace {
                needed,
                found: ws.len(),
            }));
        }
        Ok((s, ws))
    }
}

/// The training data as the epoch loop sees it: samples it may shuffle (with their RNG),
/// or samples it only reads, in the order given.
enum Samples<'a, E, R: ?Sized> {
    Movable(&'a mut [E], &'a mut R),
    Fixed(&'a [E]),
}

/// The RNG type named for [`Samples::Fixed`], which never draws.
type NoRng = crate::rng::SplitMix64;

/// How an epoch adds up a batch's gradients: sample by sample ([`PerSample`]) or a layer
/// at a time in a workspace ([`InWorkspace`]). A type parameter rather than an `Option`,
/// so that [`Trainer::fit`] never instantiates the batched path, which a network with a
/// layer of width 0 cannot have (see [`Vector::slice_from_flat`]): such a network trains
/// with `Trainer`, and is refused while compiling with a `BatchTrainer`.
trait Accumulate<N: Train, L: Loss<N::Output, Scalar = N::Scalar>> {
    /// Adds the gradients of `chunk`'s samples into `grads`; returns their summed loss.
    fn chunk(
        &mut self,
        net: &N,
        grads: &mut N,
        loss: &L,
        chunk: &[(N::Input, L::Target)],
    ) -> Result<N::Scalar, BatchError>;

    /// After the optimizer's step on a chunk of `len` samples: the batched path's
    /// [`Train::after_batch_step`]; nothing per sample.
    fn after_step(&mut self, net: &mut N, len: usize);
}

/// One sample after the other, with [`accumulate`].
struct PerSample;

impl<N: Train, L: Loss<N::Output, Scalar = N::Scalar>> Accumulate<N, L> for PerSample {
    fn chunk(
        &mut self,
        net: &N,
        grads: &mut N,
        loss: &L,
        chunk: &[(N::Input, L::Target)],
    ) -> Result<N::Scalar, BatchError> {
        let mut sum = KahanSum::new();
        for (x, t) in chunk {
            sum.add(accumulate(net, grads, loss, x, t));
        }
        Ok(sum.get())
    }

    fn after_step(&mut self, _: &mut N, _: usize) {}
}

/// The batched path, in a workspace checked by [`BatchTrainer::checked`].
struct InWorkspace<'a, T>(&'a mut [T]);

impl<N: Train, L: Loss<N::Output, Scalar = N::Scalar>> Accumulate<N, L>
    for InWorkspace<'_, N::Scalar>
{
    fn chunk(
        &mut self,
        net: &N,
        grads: &mut N,
        loss: &L,
        chunk: &[(N::Input, L::Target)],
    ) -> Result<N::Scalar, BatchError> {
        accumulate_chunk(net, grads, loss, chunk, self.0)
    }

    fn after_step(&mut self, net: &mut N, len: usize) {
        // past the chunk's inputs: the workspace `accumulate_batch` would have had
        let inputs = len.saturating_mul(<N::Input as Vector<N::Scalar>>::LEN);
        if let Some(rest) = self.0.get(inputs..) {
            batch::after_step(net, len, rest);
        }
    }
}

/// Adds the gradients of the samples of `chunk` into `grads` on the batched path and
/// returns their summed loss, summed as the per-sample path sums it. `workspace` holds
/// at least [`Trainer::workspace_len`] scalars for a batch of `chunk.len()` or more
/// (checked before the first epoch, so the layers' own checks do not fail).
fn accumulate_chunk<N, L>(
    net: &N,
    grads: &mut N,
    loss: &L,
    chunk: &[(N::Input, L::Target)],
    workspace: &mut [N::Scalar],
) -> Result<N::Scalar, BatchError>
where
    N: Train,
    L: Loss<N::Output, Scalar = N::Scalar>,
{
    let n = chunk.len();
    let (xs, rest) = workspace.split_at_mut(n * <N::Input as Vector<N::Scalar>>::LEN);
    let out = n * <N::Output as Vector<N::Scalar>>::LEN;
    let (ys, rest) = rest.split_at_mut(out);
    let (dys, rest) = rest.split_at_mut(out);
    let xs = <N::Input as Vector<N::Scalar>>::slice_from_flat_mut(xs);
    let ys = <N::Output as Vector<N::Scalar>>::slice_from_flat_mut(ys);
    let dys = <N::Output as Vector<N::Scalar>>::slice_from_flat_mut(dys);
    for (x, (sample, _)) in xs.iter_mut().zip(chunk) {
        *x = *sample;
    }
    net.forward_batch_train(xs, ys, rest)?;
    let mut total = KahanSum::new();
    for ((y, (_, t)), dy) in ys.iter().zip(chunk).zip(dys.iter_mut()) {
        let (e, g) = loss.loss_and_gradient(y, t);
        total.add(e);
        *dy = g;
    }
    net.backward_batch_train(xs, ys, dys, None, grads, rest)?;
    Ok(total.get())
}

/// Shuffles `data` in place (Fisher–Yates): every order equally likely, given a good `rng`.
/// No heap and no index array; the same seed gives the same order.
///
/// ```
/// use typenet::{SplitMix64, shuffle};
/// let mut a = [1, 2, 3, 4, 5, 6, 7, 8];
/// shuffle(&mut a, &mut SplitMix64::new(3));
/// let mut sorted = a;
/// sorted.sort();
/// assert_eq!(sorted, [1, 2, 3, 4, 5, 6, 7, 8]); // a permutation
/// assert_ne!(a, sorted);
/// ```
pub fn shuffle<E, R: Rng + ?Sized>(data: &mut [E], rng: &mut R) {
    for i in (1..data.len()).rev() {
        data.swap(i, below(rng, i + 1));
    }
}

/// A uniform draw from `0..n` (callers pass `n ≥ 1`), by Lemire's multiply-shift: the high word of a
/// 64-bit random number times `n`. Its bias is below `n / 2⁶⁴`, far below anything a
/// data set can show, and it needs no rejection loop.
fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

#[cfg(test)]
// Exact comparisons where the expected values are exact in binary floating point.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::{Dense, Identity, Mse, Sgd, SplitMix64};
    use approx::assert_abs_diff_eq;

    #[test]
    fn shuffle_is_a_seeded_uniform_permutation() {
        // Every one of the 6 orders of 3 items should come up about 1/6 of the time
        // (within about 5 standard deviations; fewer draws under Miri, which is slow).
        let (rounds, lo, hi) = if cfg!(miri) {
            (6_000, 850, 1_150)
        } else {
            (60_000, 9_500, 10_500)
        };
        let mut counts = [0u32; 6];
        let mut rng = SplitMix64::new(11);
        for _ in 0..rounds {
            let mut a = [0u8, 1, 2];
            shuffle(&mut a, &mut rng);
            let k = match a {
                [0, 1, 2] => 0,
                [0, 2, 1] => 1,
                [1, 0, 2] => 2,
                [1, 2, 0] => 3,
                [2, 0, 1] => 4,
                _ => 5,
            };
            counts[k] += 1;
        }
        for c in counts {
            assert!((lo..hi).contains(&c), "{counts:?}");
        }
        let (mut a, mut b) = ([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        shuffle(&mut a, &mut SplitMix64::new(4));
        shuffle(&mut b, &mut SplitMix64::new(4));
        assert_eq!(a, b);
    }

    /// One epoch, one batch of two samples, no shuffle: the step must use the *mean* of
    /// the two gradients. For `y = w·x + b`, Mse: samples (x=1, t=3) and (x=2, t=0) from
    /// w = 1, b = 0 give errors −2 and 2, gradients ∂w = −2 and 4, ∂b = −2 and 2: means 1
    /// and 0, so with α = 0.5, w = 0.5 and b = 0. Mean loss = (½·4 + ½·4)/2 = 2.
    #[test]
    fn a_batch_steps_along_the_mean_gradient() {
        let mut net = (
            Dense::<1, 1, f64>::new([[1.0]], [0.0]),
            Identity::<1, f64>::new(),
        );
        let mut grads = Layer::zeroed();
        let mut data = [([1.0], [3.0]), ([2.0], [0.0])];
        let r = Trainer::new(1, 2)
            .no_shuffle()
            .fit_with(
                &mut net,
                &mut grads,
                &Mse::new(),
                &mut Sgd::new(0.5).unwrap(),
                &mut data,
                &mut SplitMix64::new(0),
                |_, _| ControlFlow::Continue(()),
            )
            .unwrap()
            .unwrap();
        assert_eq!(net.0.weights, [[0.5]]);
        assert_eq!(net.0.bias, [0.0]);
        assert_eq!((r.loss, r.batches, r.epoch), (2.0, 1, 1));
    }

    #[test]
    fn uneven_batches_break_early_and_bad_input_errors() {
        let mut net = Dense::<1, 1, f64>::new([[0.0]], [0.0]);
        let mut grads = Layer::zeroed();
        let mut data = [([1.0], [1.0]); 5];
        let mut seen = 0;
        let r = Trainer::new(10, 2)
            .fit_with(
                &mut net,
                &mut grads,
                &Mse::new(),
                &mut Sgd::new(0.1).unwrap(),
                &mut data,
                &mut SplitMix64::new(0),
                |e, _| {
                    seen += 1;
                    if e.epoch == 3 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            )
            .unwrap()
            .unwrap();
        assert_eq!(
            (seen, r.epoch, r.batches),
            (3, 3, 3),
            "5 samples in batches of 2: 3 steps"
        );

        let zero = Trainer::new(1, 0).fit_with(
            &mut net,
            &mut grads,
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut data,
            &mut SplitMix64::new(0),
            |_, _| ControlFlow::Continue(()),
        );
        assert_eq!(zero, Err(FitError::ZeroBatchSize));

        let before = net;
        let mut bad = [([1.0], [1.0]), ([f64::NAN], [1.0])];
        let nan = Trainer::new(1, 2).fit_with(
            &mut net,
            &mut grads,
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut bad,
            &mut SplitMix64::new(0),
            |_, _| ControlFlow::Continue(()),
        );
        assert_eq!(nan, Err(FitError::NonFiniteInput { sample: 1 }));
        assert_eq!(net, before, "non-finite data is not applied");
        let mut bad = [([1.0], [1.0]), ([1.0], [f64::INFINITY])];
        let inf = Trainer::new(1, 2).fit_with(
            &mut net,
            &mut grads,
            &Mse::new(),
            &mut Sgd::new(0.1).unwrap(),
            &mut bad,
            &mut SplitMix64::new(0),
            |_, _| ControlFlow::Continue(()),
        );
        assert_eq!(inf, Err(FitError::NonFiniteLoss { epoch: 1, batch: 0 }));
        assert_eq!(net, before, "a non-finite batch is not applied");
    }

    #[test]
    fn in_order_on_borrowed_data_equals_unshuffled_fit() {
        let data = [([1.0], [3.0]), ([2.0], [0.0]), ([-1.0], [0.5])];
        let start = Dense::<1, 1, f64>::new([[0.3]], [-0.2]);
        let (mut a, mut b) = (start, start);
        let mut grads = Layer::zeroed();
        let go = |_: &EpochReport<f64>, _: &Dense<1, 1, f64>| ControlFlow::Continue(());
        let ra = Trainer::new(3, 2)
            .fit_in_order(
                &mut a,
                &mut grads,
                &Mse::new(),
                &mut Sgd::new(0.1).unwrap(),
                &data,
                go,
            )
            .unwrap();
        let mut copy = data;
        let rb = Trainer::new(3, 2)
            .no_shuffle()
            .fit_with(
                &mut b,
                &mut grads,
                &Mse::new(),
                &mut Sgd::new(0.1).unwrap(),
                &mut copy,
                &mut SplitMix64::new(0),
                go,
            )
            .unwrap();
        assert_eq!((a, ra), (b, rb));
        assert_ne!(a, start);
        assert_eq!(ra.unwrap().batches, 2);
    }

    #[test]
    fn clipping_is_applied_and_counted() {
        let mut net = Dense::<1, 1, f64>::new([[0.0]], [0.0]);
        let mut grads = Layer::zeroed();
        // gradient at w = b = 0 for (x=3, t=4): ∂w = −12, ∂b = −4, norm √160 ≈ 12.6
        let mut data = [([3.0], [4.0])];
        let r = Trainer::new(1, 1)
            .clip_grad_norm(1.0)
            .fit_with(
                &mut net,
                &mut grads,
                &Mse::new(),
                &mut Sgd::new(1.0).unwrap(),
                &mut data,
                &mut SplitMix64::new(0),
                |_, _| ControlFlow::Continue(()),
            )
            .unwrap()
            .unwrap();
        assert_eq!(r.clipped, 1);
        let step = (net.weights[0][0].powi(2) + net.bias[0].powi(2)).sqrt();
        // the step has the clipped norm, and the gradient's direction
        assert_abs_diff_eq!(step, 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(net.weights[0][0] / net.bias[0], 3.0, epsilon = 1e-12);
    }
}
