//! Int8 layers over images (channels last, `[[[i8; C]; W]; H]`): convolution, depthwise
//! convolution, average and max pooling.
//!
//! Sizes are in the type, the input's and the output's (`OH`, `OW`); stride and padding
//! are values, checked when the layer is built: the output size in the type must be the
//! one they give (TFLite's `ComputeOutSize`), or the constructor returns
//! [`QuantError::OutputSize`].

use super::conv::{conv2d, depthwise_conv2d};
use super::pool::{average_pool, max_pool};
use super::{
    Activation, ChannelRequant, OutputQuant, Padding, QLayer, QuantError, QuantParams, Window,
};

/// How a window slides: padding and the strides along the height and the width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stride {
    /// `SAME` or `VALID`, as TFLite names them.
    pub padding: Padding,
    /// Rows between two windows.
    pub height: usize,
    /// Columns between two windows.
    pub width: usize,
}

impl Stride {
    /// `padding` with stride `height × width`.
    pub const fn new(padding: Padding, height: usize, width: usize) -> Self {
        Self {
            padding,
            height,
            width,
        }
    }

    const fn window<
        const H: usize,
        const W: usize,
        const KH: usize,
        const KW: usize,
        const OH: usize,
        const OW: usize,
    >(
        self,
    ) -> Result<Window, QuantError> {
        Window::new::<H, W, KH, KW, OH, OW>(self.padding, self.height, self.width)
    }
}

/// The prepared requantization and output side of a convolution, checked as
/// [`QDense::from_prepared`](super::QDense::from_prepared) checks them.
const fn prepared<const N: usize>(
    (multiplier, shift): ([i32; N], [i32; N]),
    (input_zero_point, output_zero_point): (i32, i32),
    (min, max): (i32, i32),
) -> Result<(ChannelRequant<N>, OutputQuant), QuantError> {
    let mut o = 0;
    while o < N {
        let (m, s) = (multiplier[o], shift[o]);
        if !((m >= 1 << 30 || (m == 0 && s == 0)) && s >= -31 && s <= 31) {
            return Err(QuantError::Prepared);
        }
        o += 1;
    }
    if input_zero_point < -128
        || input_zero_point > 127
        || output_zero_point < -128
        || output_zero_point > 127
    {
        return Err(QuantError::ZeroPoint);
    }
    if min < -128 || max > 127 || min > max {
        return Err(QuantError::Clamp);
    }
    Ok((
        ChannelRequant { multiplier, shift },
        OutputQuant {
            zero_point: output_zero_point,
            min,
            max,
        },
    ))
}

/// The window and the prepared requantization and output side of a convolution, for
/// the `from_prepared` constructors: the stride is checked first, then [`prepared`].
#[allow(clippy::type_complexity)]
const fn prepared_window<
    const H: usize,
    const W: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
    const N: usize,
>(
    stride: Stride,
    requant: ([i32; N], [i32; N]),
    zero_points: (i32, i32),
    clamp: (i32, i32),
) -> Result<(Window, ChannelRequant<N>, OutputQuant), QuantError> {
    let window = match stride.window::<H, W, KH, KW, OH, OW>() {
        Ok(w) => w,
        Err(e) => return Err(e),
    };
    match prepared(requant, zero_points, clamp) {
        Ok((requant, out)) => Ok((window, requant, out)),
        Err(e) => Err(e),
    }
}

/// 2-D convolution in int8: an `H×W×C` image, `OC` filters of `KH×KW×C` (TFLite's OHWI
/// layout), an `OH×OW×OC` output; TensorFlow Lite's `CONV_2D` bit for bit.
///
/// The arithmetic is [`QDense`](super::QDense)'s, over each window: symmetric
/// per-output-channel weights, an `i32` bias in steps of `s_in · s_w[o]`, a Q31
/// multiplier per output channel, and the fused clamp. Taps in the padding count as the
/// input zero point (real 0). Unlike the fully connected kernel, TFLite's convolution
/// rounds the requantization twice (high multiply, then shift), and so does this layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QConv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OC: usize,
    const OH: usize,
    const OW: usize,
> {
    filters: [[[[i8; C]; KW]; KH]; OC],
    bias: [i32; OC],
    window: Window,
    requant: ChannelRequant<OC>,
    input_zero_point: i32,
    out: OutputQuant,
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OC: usize,
    const OH: usize,
    const OW: usize,
> QConv2d<H, W, C, KH, KW, OC, OH, OW>
{
    /// The layer from its quantized filters and bias, one weight scale per output
    /// channel, the window, and the input's and output's parameters.
    ///
    /// # Errors
    /// [`QuantError::Stride`] for a zero stride, [`QuantError::OutputSize`] if `OH×OW`
    /// is not what the padding and strides give, and the errors of
    /// [`QDense::new`](super::QDense::new).
    pub fn new(
        filters: [[[[i8; C]; KW]; KH]; OC],
        weight_scales: &[f32; OC],
        bias: [i32; OC],
        stride: Stride,
        (input, output): (QuantParams, QuantParams),
        activation: Activation,
    ) -> Result<Self, QuantError> {
        Ok(Self {
            filters,
            bias,
            window: stride.window::<H, W, KH, KW, OH, OW>()?,
            requant: ChannelRequant::per_channel(input.scale, weight_scales, output.scale)?,
            input_zero_point: input.zero_point,
            out: OutputQuant::new(output.scale, output.zero_point, activation)?,
        })
    }

    /// The layer from parts already prepared: the filters and bias, one Q31 multiplier
    /// and shift per output channel, the window, the input's and output's zero points
    /// and the output clamp (TFLite's `Prepare` values). No floating point at all, and a
    /// `const fn`, so a quantized network can be a `const` or `static`, checked while
    /// compiling.
    ///
    /// # Errors
    /// [`QuantError::Stride`] for a zero stride, [`QuantError::OutputSize`] if `OH×OW`
    /// is not what the padding and strides give, and the errors of
    /// [`QDense::from_prepared`](super::QDense::from_prepared).
    pub const fn from_prepared(
        filters: [[[[i8; C]; KW]; KH]; OC],
        bias: [i32; OC],
        requant: ([i32; OC], [i32; OC]),
        stride: Stride,
        zero_points: (i32, i32),
        clamp: (i32, i32),
    ) -> Result<Self, QuantError> {
        let (window, requant, out) = match prepared_window::<H, W, KH, KW, OH, OW, OC>(
            stride,
            requant,
            zero_points,
            clamp,
        ) {
            Ok(p) => p,
            Err(e) => return Err(e),
        };
        Ok(Self {
            filters,
            bias,
            window,
            requant,
            input_zero_point: zero_points.0,
            out,
        })
    }
    /// [`forward`](QLayer::forward), writing the output image into `y` (overwriting
    /// every code) instead of returning it. A returned image is built in a buffer of
    /// the callee's and copied to the caller's, so for a moment it is on the stack
    /// twice; a network imported with `include_tflite!` calls this instead
    /// (`speech.tflite` on the Cortex-M3: 8264 B of peak stack before, 4344 B with it).
    pub fn forward_into(&self, x: &[[[i8; C]; W]; H], y: &mut [[[i8; OC]; OW]; OH]) {
        conv2d(
            x,
            self.input_zero_point,
            &self.filters,
            &self.bias,
            &self.window,
            &self.requant,
            &self.out,
            y,
        );
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const OC: usize,
    const OH: usize,
    const OW: usize,
> QLayer for QConv2d<H, W, C, KH, KW, OC, OH, OW>
{
    type Input = [[[i8; C]; W]; H];
    type Output = [[[i8; OC]; OW]; OH];

    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[0; OC]; OW]; OH];
        self.forward_into(x, &mut y);
        y
    }
}

/// Depthwise convolution in int8: each of the `C` input channels has `M` filters of
/// `KH×KW`, and output channel `c·M + m` sees input channel `c` only; TensorFlow Lite's
/// `DEPTHWISE_CONV_2D` bit for bit. Filters are `KH×KW×CM` (TFLite's `[1, KH, KW, C·M]`);
/// `CM` must equal `C·M`, which is checked while compiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QDepthwiseConv2d<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
> {
    filters: [[[i8; CM]; KW]; KH],
    bias: [i32; CM],
    window: Window,
    requant: ChannelRequant<CM>,
    input_zero_point: i32,
    out: OutputQuant,
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
> QDepthwiseConv2d<H, W, C, M, CM, KH, KW, OH, OW>
{
    /// The layer from its quantized filters and bias, one weight scale per output
    /// channel, the window, and the input's and output's parameters.
    ///
    /// # Errors
    /// As [`QConv2d::new`].
    pub fn new(
        filters: [[[i8; CM]; KW]; KH],
        weight_scales: &[f32; CM],
        bias: [i32; CM],
        stride: Stride,
        (input, output): (QuantParams, QuantParams),
        activation: Activation,
    ) -> Result<Self, QuantError> {
        Ok(Self {
            filters,
            bias,
            window: stride.window::<H, W, KH, KW, OH, OW>()?,
            requant: ChannelRequant::per_channel(input.scale, weight_scales, output.scale)?,
            input_zero_point: input.zero_point,
            out: OutputQuant::new(output.scale, output.zero_point, activation)?,
        })
    }

    /// The layer from parts already prepared: the filters and bias, one Q31 multiplier
    /// and shift per output channel, the window, the input's and output's zero points
    /// and the output clamp (TFLite's `Prepare` values). No floating point at all, and a
    /// `const fn`, so a quantized network can be a `const` or `static`, checked while
    /// compiling.
    ///
    /// # Errors
    /// [`QuantError::Stride`] for a zero stride, [`QuantError::OutputSize`] if `OH×OW`
    /// is not what the padding and strides give, and the errors of
    /// [`QDense::from_prepared`](super::QDense::from_prepared).
    pub const fn from_prepared(
        filters: [[[i8; CM]; KW]; KH],
        bias: [i32; CM],
        requant: ([i32; CM], [i32; CM]),
        stride: Stride,
        zero_points: (i32, i32),
        clamp: (i32, i32),
    ) -> Result<Self, QuantError> {
        let (window, requant, out) = match prepared_window::<H, W, KH, KW, OH, OW, CM>(
            stride,
            requant,
            zero_points,
            clamp,
        ) {
            Ok(p) => p,
            Err(e) => return Err(e),
        };
        Ok(Self {
            filters,
            bias,
            window,
            requant,
            input_zero_point: zero_points.0,
            out,
        })
    }
    /// [`forward`](QLayer::forward), writing the output image into `y` (overwriting
    /// every code) instead of returning it. A returned image is built in a buffer of
    /// the callee's and copied to the caller's, so for a moment it is on the stack
    /// twice; a network imported with `include_tflite!` calls this instead
    /// (`speech.tflite` on the Cortex-M3: 8264 B of peak stack before, 4344 B with it).
    pub fn forward_into(&self, x: &[[[i8; C]; W]; H], y: &mut [[[i8; CM]; OW]; OH]) {
        depthwise_conv2d::<H, W, C, M, CM, KH, KW, OH, OW>(
            x,
            self.input_zero_point,
            &self.filters,
            &self.bias,
            &self.window,
            &self.requant,
            &self.out,
            y,
        );
    }
}

impl<
    const H: usize,
    const W: usize,
    const C: usize,
    const M: usize,
    const CM: usize,
    const KH: usize,
    const KW: usize,
    const OH: usize,
    const OW: usize,
> QLayer for QDepthwiseConv2d<H, W, C, M, CM, KH, KW, OH, OW>
{
    type Input = [[[i8; C]; W]; H];
    type Output = [[[i8; CM]; OW]; OH];

    fn forward(&self, x: &Self::Input) -> Self::Output {
        let mut y = [[[0; CM]; OW]; OH];
        self.forward_into(x, &mut y);
        y
    }
}

macro_rules! pool {
    ($(#[$doc:meta])* $name:ident, $kernel:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const OH: usize,
            const OW: usize,
        > {
            window: Window,
            out: OutputQuant,
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const OH: usize,
            const OW: usize,
        > $name<H, W, C, KH, KW, OH, OW>
        {
            /// Pooling `KH×KW` windows of an input quantized with `params` (the output
            /// keeps them, as in TFLite), with the fused clamp `activation`.
            ///
            /// # Errors
            /// [`QuantError::Stride`] for a zero stride, [`QuantError::OutputSize`] if
            /// `OH×OW` is not what the padding and strides give, and those of
            /// [`QuantParams`] for the clamp.
            pub fn new(
                stride: Stride,
                params: QuantParams,
                activation: Activation,
            ) -> Result<Self, QuantError> {
                Ok(Self {
                    window: stride.window::<H, W, KH, KW, OH, OW>()?,
                    out: OutputQuant::new(params.scale, params.zero_point, activation)?,
                })
            }

            /// The layer from values prepared beforehand (by `include_tflite!`): the
            /// zero point the input and output share and the fused activation's clamp
            /// `(min, max)` in codes. A float-free `const fn`, so a quantized network
            /// can be a `const` or `static`, checked while compiling.
            ///
            /// # Errors
            /// Those of [`new`](Self::new) for the stride and output size,
            /// [`QuantError::ZeroPoint`] and [`QuantError::Clamp`] for a zero point or
            /// clamp outside −128..=127 (or `min > max`).
            pub const fn from_prepared(
                stride: Stride,
                zero_point: i32,
                clamp: (i32, i32),
            ) -> Result<Self, QuantError> {
                match prepared_window::<H, W, KH, KW, OH, OW, 0>(
                    stride,
                    ([], []),
                    (zero_point, zero_point),
                    clamp,
                ) {
                    Ok((window, _, out)) => Ok(Self { window, out }),
                    Err(e) => Err(e),
                }
            }
        }

        impl<
            const H: usize,
            const W: usize,
            const C: usize,
            const KH: usize,
            const KW: usize,
            const OH: usize,
            const OW: usize,
        > QLayer for $name<H, W, C, KH, KW, OH, OW>
        {
            type Input = [[[i8; C]; W]; H];
            type Output = [[[i8; C]; OW]; OH];

            fn forward(&self, x: &Self::Input) -> Self::Output {
                let mut y = [[[0; C]; OW]; OH];
                $kernel::<H, W, C, KH, KW, OH, OW>(x, &self.window, self.out.min, self.out.max, &mut y);
                y
            }
        }
    };
}

pool!(
    /// Average pooling in int8 over `KH×KW` windows: TensorFlow Lite's `AVERAGE_POOL_2D`
    /// bit for bit (the sum of the codes in the window, divided by the number of taps
    /// inside the image, rounded half away from zero). Input and output share their
    /// quantization.
    QAvgPool2d,
    average_pool
);

pool!(
    /// Max pooling in int8 over `KH×KW` windows: TensorFlow Lite's `MAX_POOL_2D` bit for
    /// bit (the largest code in the window; the order of codes is the order of the reals
    /// they stand for). Input and output share their quantization.
    QMaxPool2d,
    max_pool
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString as _;

    #[test]
    fn windows_that_do_not_give_the_typed_output_are_refused_in_words() {
        let p = QuantParams::new(0.1, 0).unwrap();
        let err = QMaxPool2d::<4, 4, 1, 2, 2, 3, 3>::new(
            Stride::new(Padding::Valid, 2, 2),
            p,
            Activation::None,
        )
        .unwrap_err();
        assert_eq!(err, QuantError::OutputSize);
        assert_eq!(
            err.to_string(),
            "the output size in the type is not the one the padding and strides give"
        );
        assert_eq!(
            QAvgPool2d::<4, 4, 1, 2, 2, 2, 2>::new(
                Stride::new(Padding::Valid, 0, 2),
                p,
                Activation::None
            ),
            Err(QuantError::Stride)
        );
        // 2×2 max pooling of a 4×4 ramp, stride 2: the bottom-right of each window.
        let pool = QMaxPool2d::<4, 4, 1, 2, 2, 2, 2>::new(
            Stride::new(Padding::Valid, 2, 2),
            p,
            Activation::None,
        )
        .unwrap();
        let x: [[[i8; 1]; 4]; 4] =
            core::array::from_fn(|r| core::array::from_fn(|c| [(4 * r + c) as i8]));
        assert_eq!(pool.forward(&x), [[[5], [7]], [[13], [15]]]);
        let conv = QConv2d::<3, 3, 1, 3, 3, 1, 1, 1>::new(
            [[[[1]; 3]; 3]],
            &[1.0],
            [0],
            Stride::new(Padding::Valid, 1, 1),
            (p, QuantParams::new(0.9, 0).unwrap()),
            Activation::None,
        )
        .unwrap();
        // Σ of 0..9 = 36 steps of 0.1 = 3.6 in real terms, 4 steps of 0.9.
        let x: [[[i8; 1]; 3]; 3] =
            core::array::from_fn(|r| core::array::from_fn(|c| [(3 * r + c) as i8]));
        assert_eq!(conv.forward(&x), [[[4]]]);
    }
}

#[cfg(test)]
mod prepared_tests {
    use super::super::{ChannelRequant, OutputQuant};
    use super::*;

    type Dw = QDepthwiseConv2d<5, 4, 2, 2, 4, 3, 2, 3, 4>;
    type Conv = QConv2d<5, 4, 2, 3, 2, 4, 3, 4>;

    /// `from_prepared` with the values `new` computes builds the same layer; bad
    /// prepared values and a wrong output size are errors.
    #[test]
    fn from_prepared_matches_new_and_checks_its_values() {
        let (input, output) = (
            QuantParams::new(0.05, -3).unwrap(),
            QuantParams::new(0.06, -128).unwrap(),
        );
        let scales = [0.004, 0.007, 0.002, 0.01];
        let r = ChannelRequant::per_channel(0.05, &scales, 0.06).unwrap();
        let o = OutputQuant::new(0.06, -128, Activation::ReLU).unwrap();
        let filters: [[[i8; 4]; 2]; 3] = core::array::from_fn(|y| {
            core::array::from_fn(|x| core::array::from_fn(|c| (y * 8 + x * 4 + c) as i8 - 9))
        });
        let bias = [300, -500, 40, 0];
        let stride = Stride::new(Padding::Same, 2, 1);
        let built = Dw::new(
            filters,
            &scales,
            bias,
            stride,
            (input, output),
            Activation::ReLU,
        )
        .unwrap();
        let prepared = |m: [i32; 4], s: [i32; 4], zp: i32, clamp: (i32, i32), st: Stride| {
            Dw::from_prepared(filters, bias, (m, s), st, (-3, zp), clamp)
        };
        let same = prepared(r.multiplier, r.shift, -128, (o.min, o.max), stride).unwrap();
        assert_eq!(same, built);
        let x: [[[i8; 2]; 4]; 5] = core::array::from_fn(|y| {
            core::array::from_fn(|x| core::array::from_fn(|c| (y * 17 + x * 5 + c * 3) as i8))
        });
        assert_eq!(same.forward(&x), built.forward(&x));
        let mut low = r.multiplier;
        low[2] = 5;
        assert_eq!(
            prepared(low, r.shift, -128, (o.min, o.max), stride),
            Err(QuantError::Prepared)
        );
        assert_eq!(
            prepared(r.multiplier, r.shift, -129, (o.min, o.max), stride),
            Err(QuantError::ZeroPoint)
        );
        assert_eq!(
            prepared(r.multiplier, r.shift, -128, (10, 5), stride),
            Err(QuantError::Clamp)
        );
        // VALID with stride 2 gives 2×3, not the type's 3×4
        let valid = Stride::new(Padding::Valid, 2, 1);
        assert_eq!(
            prepared(r.multiplier, r.shift, -128, (o.min, o.max), valid),
            Err(QuantError::OutputSize)
        );

        let cf: [[[[i8; 2]; 2]; 3]; 4] = core::array::from_fn(|k| {
            core::array::from_fn(|y| {
                core::array::from_fn(|x| {
                    core::array::from_fn(|c| (k * 7 + y * 3 + x + c) as i8 - 8)
                })
            })
        });
        let built =
            Conv::new(cf, &scales, bias, stride, (input, output), Activation::ReLU).unwrap();
        let same = Conv::from_prepared(
            cf,
            bias,
            (r.multiplier, r.shift),
            stride,
            (-3, -128),
            (o.min, o.max),
        )
        .unwrap();
        assert_eq!(same, built);
        assert_eq!(same.forward(&x), built.forward(&x));
        assert_eq!(
            Conv::from_prepared(cf, bias, (low, r.shift), stride, (-3, -128), (o.min, o.max)),
            Err(QuantError::Prepared)
        );
    }
}

#[cfg(test)]
mod in_place_tests {
    use super::super::QFlatten;
    use super::*;

    /// `forward_into` overwrites every code of a buffer that held something else, with
    /// `forward`'s output; `QFlatten::view` is `forward`'s output, borrowed.
    #[test]
    fn forward_into_overwrites_the_whole_buffer_and_view_is_forward() {
        let p = QuantParams::new(0.05, -3).unwrap();
        let o = QuantParams::new(0.07, 5).unwrap();
        let x: [[[i8; 3]; 6]; 5] = core::array::from_fn(|y| {
            core::array::from_fn(|x| core::array::from_fn(|c| (y * 31 + x * 7 + c * 13) as i8))
        });
        // Depthwise, M = 2: one block of four channels and two channels one at a time.
        let dw = QDepthwiseConv2d::<5, 6, 3, 2, 6, 3, 2, 3, 6>::new(
            core::array::from_fn(|y| {
                core::array::from_fn(|x| core::array::from_fn(|c| (y * 5 + x * 3 + c) as i8 - 7))
            }),
            &[0.01, 0.02, 0.03, 0.01, 0.02, 0.03],
            [10, -20, 30, -40, 50, -60],
            Stride::new(Padding::Same, 2, 1),
            (p, o),
            Activation::None,
        )
        .unwrap();
        let want = dw.forward(&x);
        let mut y = [[[99i8; 6]; 6]; 3];
        dw.forward_into(&x, &mut y);
        assert_eq!(y, want);
        // not a constant image: the test would notice a skipped pixel
        assert!(
            want.as_flattened()
                .as_flattened()
                .iter()
                .any(|&v| v != want[0][0][0])
        );
        let conv = QConv2d::<5, 6, 3, 2, 3, 4, 5, 6>::new(
            core::array::from_fn(|k| {
                core::array::from_fn(|y| {
                    core::array::from_fn(|x| {
                        core::array::from_fn(|c| (k + y * 2 + x + c) as i8 - 4)
                    })
                })
            }),
            &[0.01, 0.02, 0.03, 0.04],
            [1, 2, 3, 4],
            Stride::new(Padding::Same, 1, 1),
            (p, o),
            Activation::ReLU,
        )
        .unwrap();
        let want = conv.forward(&x);
        let mut y = [[[-99i8; 4]; 6]; 5];
        conv.forward_into(&x, &mut y);
        assert_eq!(y, want);
        let flat = QFlatten::<5, 6, 3, 90>;
        assert_eq!(flat.view(&x), &flat.forward(&x));
    }
}
