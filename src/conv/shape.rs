//! Output sizes, padding and the compile-time size check (see the module doc of
//! [`super`] for the formulas).

/// How a window treats the border, as TensorFlow Lite names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Padding {
    /// Only windows that lie wholly inside the input: `out = ⌊(in − k) / s⌋ + 1`
    /// (no output when `in < k`).
    Valid,
    /// Zero padding so that `out = ⌈in / s⌉`; the padding total
    /// `max((out − 1)·s + k − in, 0)` is split with the smaller half before (top/left)
    /// and the odd one after (bottom/right).
    Same,
}

impl Padding {
    /// `"VALID"` or `"SAME"`, for messages.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Padding::Valid => "VALID",
            Padding::Same => "SAME",
        }
    }
}

/// The output length along one axis, or 0 when there is none (`kernel` or `stride` 0, or
/// a VALID window longer than the input).
pub(crate) const fn out_size(
    padding: Padding,
    input: usize,
    kernel: usize,
    stride: usize,
) -> usize {
    if kernel == 0 || stride == 0 || input == 0 {
        return 0;
    }
    match padding {
        Padding::Same => input.div_ceil(stride),
        Padding::Valid => {
            if input < kernel {
                0
            } else {
                (input - kernel) / stride + 1
            }
        }
    }
}

/// The padding before the input (top or left) along one axis: 0 for VALID, and for SAME
/// `⌊total / 2⌋` with `total = max((out − 1)·s + k − in, 0)` (TFLite's
/// `ComputePaddingHeightWidth`; the odd cell goes after the input).
pub(crate) const fn pad_before(
    padding: Padding,
    input: usize,
    kernel: usize,
    stride: usize,
) -> usize {
    match padding {
        Padding::Valid => 0,
        Padding::Same => {
            let out = out_size(padding, input, kernel, stride);
            if out == 0 {
                return 0;
            }
            ((out - 1) * stride + kernel).saturating_sub(input) / 2
        }
    }
}

/// One axis of a sliding window: kernel length, stride and padding before the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Axis {
    /// Kernel (or pooling window) length.
    pub(crate) kernel: usize,
    /// Step between two outputs, in input cells.
    pub(crate) stride: usize,
    /// Zero cells before the input.
    pub(crate) pad: usize,
}

impl Axis {
    /// The axis of a window of length `kernel` and stride `stride` over `input` cells.
    pub(crate) const fn new(padding: Padding, input: usize, kernel: usize, stride: usize) -> Self {
        Self {
            kernel,
            stride,
            pad: pad_before(padding, input, kernel, stride),
        }
    }

    /// The axis of a 1-D window over `L` cells producing `OL`, checked like
    /// [`Window2d::new`] (a panic naming the lengths, a compile error in a constant).
    pub(crate) const fn checked<const L: usize, const OL: usize>(
        layer: &str,
        padding: Padding,
        kernel: usize,
        stride: usize,
    ) -> Self {
        check_1d(layer, padding, L, kernel, stride, OL);
        Self::new(padding, L, kernel, stride)
    }

    /// The input cell that tap `k` of output `o` reads, `o·s + k − pad`, or `None` when
    /// it falls in the padding (before the input, or at or after `input`).
    #[inline(always)]
    pub(crate) fn tap(&self, o: usize, k: usize, input: usize) -> Option<usize> {
        (o * self.stride + k)
            .checked_sub(self.pad)
            .filter(|&i| i < input)
    }
}

/// A 2-D window: height axis and width axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window2d {
    /// Along the height (rows).
    pub(crate) h: Axis,
    /// Along the width (columns).
    pub(crate) w: Axis,
}

impl Window2d {
    /// The window of a `kh × kw` kernel with strides `sh × sw` over an `H × W` input
    /// producing `OH × OW`. A `const fn` that panics with [`check_2d`]'s message when the
    /// sizes disagree, so a layer that evaluates it in a constant (`const W: Window2d =
    /// Window2d::new::<…>(…)`, or inside `const { … }`) turns a wrong output size into a
    /// compile error naming the sizes.
    pub(crate) const fn new<const H: usize, const W: usize, const OH: usize, const OW: usize>(
        layer: &str,
        padding: Padding,
        (kh, kw): (usize, usize),
        (sh, sw): (usize, usize),
    ) -> Self {
        check_2d(layer, padding, [H, W], [kh, kw], [sh, sw], [OH, OW]);
        Self {
            h: Axis::new(padding, H, kh, sh),
            w: Axis::new(padding, W, kw, sw),
        }
    }
}

/// Panics, with a message naming every size, unless a `kernel` window with `stride` and
/// `padding` over an `input`-sized image gives exactly `output`. Evaluated in a constant
/// this is a compile error; the message reads, for example:
///
/// `Conv2d: a 28×28 input, 3×3 window, stride 2×2, SAME padding gives 14×14, but the
/// output is declared 13×14`
pub(crate) const fn check_2d(
    layer: &str,
    padding: Padding,
    input: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    output: [usize; 2],
) {
    let expected = [
        out_size(padding, input[0], kernel[0], stride[0]),
        out_size(padding, input[1], kernel[1], stride[1]),
    ];
    let bad_setting = kernel[0] == 0 || kernel[1] == 0 || stride[0] == 0 || stride[1] == 0;
    if bad_setting || input[0] == 0 || input[1] == 0 {
        let m = Msg::new()
            .str(layer)
            .str(": kernel, stride and input sizes must be at least 1 (input ")
            .pair(input)
            .str(", window ")
            .pair(kernel)
            .str(", stride ")
            .pair(stride)
            .str(")");
        panic!("{}", m.as_str());
    }
    if expected[0] == 0 || expected[1] == 0 {
        let m = Msg::new()
            .str(layer)
            .str(": the ")
            .pair(kernel)
            .str(" window is larger than the ")
            .pair(input)
            .str(" input (VALID padding leaves no output)");
        panic!("{}", m.as_str());
    }
    if expected[0] != output[0] || expected[1] != output[1] {
        let m = Msg::new()
            .str(layer)
            .str(": a ")
            .pair(input)
            .str(" input, ")
            .pair(kernel)
            .str(" window, stride ")
            .pair(stride)
            .str(", ")
            .str(padding.name())
            .str(" padding gives ")
            .pair(expected)
            .str(", but the output is declared ")
            .pair(output);
        panic!("{}", m.as_str());
    }
}

/// [`check_2d`] for one axis (1-D signals: length × channels); the message names lengths.
pub(crate) const fn check_1d(
    layer: &str,
    padding: Padding,
    input: usize,
    kernel: usize,
    stride: usize,
    output: usize,
) {
    let expected = out_size(padding, input, kernel, stride);
    if kernel == 0 || stride == 0 || input == 0 {
        let m = Msg::new()
            .str(layer)
            .str(": kernel, stride and input lengths must be at least 1 (input ")
            .num(input)
            .str(", window ")
            .num(kernel)
            .str(", stride ")
            .num(stride)
            .str(")");
        panic!("{}", m.as_str());
    }
    if expected == 0 {
        let m = Msg::new()
            .str(layer)
            .str(": the window of length ")
            .num(kernel)
            .str(" is longer than the input of length ")
            .num(input)
            .str(" (VALID padding leaves no output)");
        panic!("{}", m.as_str());
    }
    if expected != output {
        let m = Msg::new()
            .str(layer)
            .str(": an input of length ")
            .num(input)
            .str(", window ")
            .num(kernel)
            .str(", stride ")
            .num(stride)
            .str(", ")
            .str(padding.name())
            .str(" padding gives length ")
            .num(expected)
            .str(", but the output is declared of length ")
            .num(output);
        panic!("{}", m.as_str());
    }
}

/// A message assembled in a `const fn` (stable Rust cannot format numbers in a constant
/// panic, but it can print a `&str` built byte by byte). Truncated at 256 bytes, at a
/// character boundary.
pub(crate) struct Msg {
    buf: [u8; 256],
    len: usize,
}

impl Msg {
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; 256],
            len: 0,
        }
    }

    /// Appends `s` (whole, or not at all if it does not fit).
    pub(crate) const fn str(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        if self.len + b.len() > self.buf.len() {
            return self;
        }
        let mut i = 0;
        while i < b.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// Appends `n` in decimal.
    pub(crate) const fn num(self, mut n: usize) -> Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let (_, used) = digits.split_at(i);
        match core::str::from_utf8(used) {
            Ok(s) => self.str(s),
            Err(_) => self,
        }
    }

    /// Appends `a×b`.
    pub(crate) const fn pair(self, [a, b]: [usize; 2]) -> Self {
        self.num(a).str("×").num(b)
    }

    pub(crate) const fn as_str(&self) -> &str {
        let (used, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(used) {
            Ok(s) => s,
            Err(_) => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    /// The message a check panics with, or `None` if it passes.
    fn message(f: impl FnOnce() + std::panic::UnwindSafe) -> Option<String> {
        let hook = std::panic::take_hook();
        std::panic::set_hook(std::boxed::Box::new(|_| {}));
        let r = std::panic::catch_unwind(f);
        std::panic::set_hook(hook);
        r.err().map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| String::from(*s)))
                .unwrap_or_default()
        })
    }

    #[test]
    fn output_sizes_follow_tflite() {
        use Padding::{Same, Valid};
        // VALID: ⌊(in − k)/s⌋ + 1, nothing when the window is longer than the input
        assert_eq!(out_size(Valid, 5, 3, 1), 3);
        assert_eq!(out_size(Valid, 8, 2, 3), 3); // stride > kernel: rows 0-1, 3-4, 6-7
        assert_eq!(out_size(Valid, 7, 2, 2), 3); // last input row unused
        assert_eq!(out_size(Valid, 2, 3, 1), 0);
        assert_eq!(out_size(Valid, 3, 3, 5), 1);
        // SAME: ⌈in/s⌉ whatever the kernel
        assert_eq!(out_size(Same, 5, 3, 1), 5);
        assert_eq!(out_size(Same, 7, 3, 2), 4);
        assert_eq!(out_size(Same, 4, 5, 1), 4);
        assert_eq!(out_size(Same, 49, 10, 2), 25);
        assert_eq!(out_size(Same, 5, 3, 0), 0);
    }

    #[test]
    fn same_padding_puts_the_odd_cell_after() {
        use Padding::{Same, Valid};
        // in 5, k 3, s 1: total 2, 1 before 1 after
        assert_eq!(pad_before(Same, 5, 3, 1), 1);
        // in 5, k 2, s 1: total 1, 0 before (the extra cell goes to the bottom/right)
        assert_eq!(pad_before(Same, 5, 2, 1), 0);
        // in 6, k 4, s 1: total 3, 1 before 2 after
        assert_eq!(pad_before(Same, 6, 4, 1), 1);
        // in 7, k 3, s 2: out 4, total 3·2 + 3 − 7 = 2, 1 before
        assert_eq!(pad_before(Same, 7, 3, 2), 1);
        // in 6, k 3, s 2: out 3, total 2·2 + 3 − 6 = 1, 0 before
        assert_eq!(pad_before(Same, 6, 3, 2), 0);
        // in 9, k 1, s 3: out 3, total 6 + 1 − 9 < 0, no padding
        assert_eq!(pad_before(Same, 9, 1, 3), 0);
        // DS-CNN's first layer: 49 rows, k 10, s 2: out 25, total 48 + 10 − 49 = 9, 4 before
        assert_eq!(pad_before(Same, 49, 10, 2), 4);
        assert_eq!(pad_before(Valid, 5, 3, 1), 0);
    }

    #[test]
    fn taps_outside_the_input_are_none() {
        let a = Axis::new(Padding::Same, 5, 3, 2); // out 3, pad 1
        assert_eq!(a.pad, 1);
        assert_eq!(a.tap(0, 0, 5), None);
        assert_eq!(a.tap(0, 1, 5), Some(0));
        assert_eq!(a.tap(2, 2, 5), None); // 2·2 + 2 − 1 = 5 is past the end
        assert_eq!(a.tap(2, 1, 5), Some(4));
    }

    // A correct size is accepted in a constant: this compiles only because the check
    // passes (a failing one is a compile error, "evaluation of constant value failed").
    const DS_CNN: Window2d =
        Window2d::new::<49, 10, 25, 5>("Conv2d", Padding::Same, (10, 4), (2, 2));

    #[test]
    fn a_correct_size_passes_in_a_constant() {
        assert_eq!(
            DS_CNN.h,
            Axis {
                kernel: 10,
                stride: 2,
                pad: 4
            }
        );
        assert_eq!(
            DS_CNN.w,
            Axis {
                kernel: 4,
                stride: 2,
                pad: 1
            }
        );
        let w = const { Window2d::new::<5, 5, 3, 3>("MaxPool2d", Padding::Same, (2, 2), (2, 2)) };
        assert_eq!(w.h.pad, 0); // total (3 − 1)·2 + 2 − 5 = 1, after the input
        const { check_1d("Conv1d", Padding::Valid, 11, 4, 2, 4) };
    }

    /// The pattern a layer will use: its sizes are const parameters, its window an
    /// associated constant, which Rust evaluates once per instantiation that uses it. A
    /// wrong output size is then a compile error at the user's type, e.g. for
    /// `Probe::<28, 28, 3, 2, true, 13, 14>::window()`:
    ///
    /// ```text
    /// error[E0080]: evaluation panicked: Conv2d: a 28×28 input, 3×3 window, stride 2×2,
    ///               SAME padding gives 14×14, but the output is declared 13×14
    /// ```
    struct Probe<
        const H: usize,
        const W: usize,
        const K: usize,
        const S: usize,
        const SAME: bool,
        const OH: usize,
        const OW: usize,
    >;

    impl<
        const H: usize,
        const W: usize,
        const K: usize,
        const S: usize,
        const SAME: bool,
        const OH: usize,
        const OW: usize,
    > Probe<H, W, K, S, SAME, OH, OW>
    {
        const WINDOW: Window2d = Window2d::new::<H, W, OH, OW>(
            "Conv2d",
            if SAME { Padding::Same } else { Padding::Valid },
            (K, K),
            (S, S),
        );

        fn window() -> Window2d {
            Self::WINDOW
        }
    }

    #[test]
    fn a_generic_layer_checks_its_sizes_per_instantiation() {
        assert_eq!(Probe::<28, 28, 3, 2, true, 14, 14>::window().h.pad, 0);
        assert_eq!(Probe::<28, 28, 3, 1, false, 26, 26>::window().w.stride, 1);
        assert_eq!(Probe::<96, 96, 3, 2, true, 48, 48>::window().h.pad, 0);
        assert_eq!(Probe::<7, 7, 3, 2, true, 4, 4>::window().h.pad, 1);
    }

    #[test]
    fn a_wrong_size_names_the_sizes() {
        assert_eq!(
            message(|| check_2d("Conv2d", Padding::Same, [28, 28], [3, 3], [2, 2], [13, 14])),
            Some(String::from(
                "Conv2d: a 28×28 input, 3×3 window, stride 2×2, SAME padding gives 14×14, but the output is declared 13×14"
            ))
        );
        assert_eq!(
            message(|| check_2d("MaxPool2d", Padding::Valid, [2, 5], [3, 3], [1, 1], [0, 3])),
            Some(String::from(
                "MaxPool2d: the 3×3 window is larger than the 2×5 input (VALID padding leaves no output)"
            ))
        );
        assert_eq!(
            message(|| check_2d("AvgPool2d", Padding::Valid, [4, 4], [2, 2], [0, 1], [3, 3])),
            Some(String::from(
                "AvgPool2d: kernel, stride and input sizes must be at least 1 (input 4×4, window 2×2, stride 0×1)"
            ))
        );
        assert_eq!(
            message(|| check_1d("Conv1d", Padding::Same, 10, 3, 2, 4)),
            Some(String::from(
                "Conv1d: an input of length 10, window 3, stride 2, SAME padding gives length 5, but the output is declared of length 4"
            ))
        );
        assert_eq!(
            message(|| check_2d("Conv2d", Padding::Valid, [8, 8], [2, 2], [3, 3], [3, 3])),
            None
        );
        assert_eq!(
            message(|| check_1d("Conv1d", Padding::Valid, 3, 4, 1, 1)),
            Some(String::from(
                "Conv1d: the window of length 4 is longer than the input of length 3 (VALID padding leaves no output)"
            ))
        );
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let long = "×".repeat(200);
        let m = Msg::new().str("ab").str(&long).str("cd");
        assert_eq!(m.as_str(), "abcd");
        assert_eq!(Msg::new().num(0).num(1_234_567_890).as_str(), "01234567890");
    }
}
