//! Convolution maths in floating point: the kernels the convolutional layers
//! ([`Conv2d`](crate::Conv2d), the pools, [`Flatten`](crate::Flatten),
//! [`Relu6`](crate::Relu6)) wrap, each forward beside its backward.
//!
//! | file | computes |
//! |---|---|
//! | [`shape`] | output sizes, SAME padding, the compile-time size check |
//! | [`conv2d`] | 2-D convolution, TFLite weights `[O][KH][KW][C]` |
//! | [`depthwise`] | depthwise 2-D convolution with a depth multiplier, weights `[KH][KW][C·M]` |
//! | [`conv1d`] | 1-D convolution over length × channels, weights `[O][K][C]` |
//! | [`lanes`] | 2-D convolution for a batch, output channels in vector lanes (same bits) |
//! | [`flatten`] | image → vector in TFLite's order, with its size check |
//! | [`pool`] | max and average pooling, global average pooling |
//! | [`batch_norm`] | batch normalisation: batch statistics, backward, running averages, inference, folding |
//! | [`relu6`] | `min(max(x, 0), 6)` |
//!
//! # Shapes: nested arrays, channels last
//!
//! An image is `[[[T; C]; W]; H]`: `H` rows of `W` pixels of `C` channels, the order TFLite,
//! CMSIS-NN and MicroFlow store (NHWC without the N); a signal is `[[T; C]; L]`. The
//! memory is the same as a flat `[T; H·W·C]`, but only the nested form can be *written*
//! with const generics on stable Rust: `[T; H * W * C]` with generic `H`, `W`, `C` needs
//! `generic_const_exprs` (nightly), whereas `[[[T; C]; W]; H]` mentions each size once and
//! multiplies nothing. A layer can therefore name its input and output types
//! (`Conv2d<…, H, W, C, …, OH, OW, O>` with `Input = [[[T; C]; W]; H]`), and the kernels
//! still reach the flat run when they want it (`as_flattened()`, stable since 1.80;
//! batch norm and ReLU6 work on rows and flat slices that way). For the same reason the
//! depthwise kernels take the output channel count `CM` as a parameter of its own and
//! check `CM = C·M` per instantiation.
//!
//! # Output sizes and padding
//!
//! Along one axis, with input length `in`, kernel `k`, stride `s` (all ≥ 1):
//!
//! ```text
//! VALID: out = ⌊(in − k) / s⌋ + 1   (needs in ≥ k; cells past the last window are unused)
//! SAME:  out = ⌈in / s⌉
//!        total = max((out − 1)·s + k − in, 0),  before = ⌊total / 2⌋,  after = total − before
//! ```
//!
//! SAME padding follows TFLite (and TensorFlow): the padding is split with the odd cell
//! *after* the input (bottom, right), so a model imported from TFLite lines up cell for
//! cell. For `in = 5, k = 2, s = 1` that is 0 before and 1 after; for DS-CNN's
//! `in = 49, k = 10, s = 2`, `out = 25`, `total = 9`: 4 before, 5 after. (A symmetric
//! explicit padding differs: PyTorch's `padding=1` for a 3×3 stride-2 kernel on 6 rows pads
//! one row on each side, where SAME pads 0 before and 1 after, so the windows are shifted
//! by one row.) Output `o`,
//! tap `k` reads input cell `o·s + k − before`; a tap outside `0..in` reads padding.
//! Convolutions treat padding as zeros (the kernels skip those taps rather than add
//! zero products); pooling ignores it: a window's maximum and average are over its valid
//! cells only, never empty because `total < k` (as `(out − 1)·s < in`).
//!
//! Output sizes are `const fn`s ([`shape::out_size`]). Stable Rust cannot compute a type
//! from them, so a layer takes the output size as a const parameter written by the
//! user (or by the `conv2d!`/`pool2d!` macros, from literals) and checks it per instantiation: [`shape::Window2d::new`] is a
//! `const fn` that panics with [`shape::check_2d`]'s message, and evaluating it in an
//! associated constant or a `const { … }` block makes a wrong size a compile error:
//!
//! ```text
//! Conv2d: a 28×28 input, 3×3 window, stride 2×2, SAME padding gives 14×14, but the output is declared 13×14
//! ```
//!
//! # The kernels
//!
//! Each family file states its formulas in its own doc; in short, with `g = ∂E/∂y` the
//! gradient arriving from above:
//!
//! ```text
//! conv2d:    y[oy][ox][o] = b[o] + Σ_ky,kx,c x[oy·sh+ky−pt][ox·sw+kx−pl][c] · w[o][ky][kx][c]
//! depthwise: y[oy][ox][q] = b[q] + Σ_ky,kx x[oy·sh+ky−pt][ox·sw+kx−pl][q/M] · w[ky][kx][q]
//! conv1d:    y[ot][o]     = b[o] + Σ_k,c x[ot·s+k−p][c] · w[o][k][c]
//! max pool:  y[oy][ox][c] = max over the window's valid cells (first maximum on ties)
//! avg pool:  y[oy][ox][c] = (sum over the window's valid cells) / (their number)
//! global:    y[c] = (Σ_iy,ix x[iy][ix][c]) / (H·W)
//! ```
//!
//! A convolution is linear in its input and in its weights, so each backward is a sum of
//! the same products: `∂E/∂w[o][ky][kx][c] = Σ_oy,ox g[oy][ox][o] · x[…][…][c]` (the
//! input correlated with the output gradient), `∂E/∂b[o] = Σ_oy,ox g[oy][ox][o]`, and
//! `∂E/∂x` sends every output's gradient back through the weights that produced it.
//!
//! # Why the input gradient is a convolution with the flipped kernel
//!
//! Along one axis, stride 1, no padding: `y[o] = Σ_k x[o + k]·w[k]`, so input cell `i`
//! is read by output `o = i − k` with weight `w[k]`, and
//!
//! ```text
//! ∂E/∂x[i] = Σ_k g[i − k] · w[k] = Σ_k' g[i − (K−1) + k'] · w[K−1−k']      (k' = K−1−k)
//! ```
//!
//! — a correlation of `g`, padded with `K − 1` zeros on both sides ("full" padding), with
//! the kernel reversed. In 2-D both axes are reversed and the channel roles swap: the
//! flipped kernel maps the `O` output channels back to the `C` input channels. With stride
//! `s`, output `o` reads `x[o·s + k − before]`, so `g` is first *dilated* (`s − 1` zeros
//! between its values, which is why this backward is also called a transposed or
//! fractionally strided convolution) and the padding is shifted by `before`. The
//! kernels here compute the same sums in "scatter" form — each output adds `g · w` into the
//! cells it read — which needs no dilated copy; a test computes the gather form with an
//! explicitly flipped kernel and dilated gradient and checks the two agree.
//!
//! # Reproducible to the bit
//!
//! Every kernel fixes its order of additions and documents it beside the code: loops over
//! outputs, then kernel rows and columns in ascending order, taps in the padding skipped,
//! and the channel dot products of [`conv2d`]/[`conv1d`] in [`crate::kernels`]'s `dot` order
//! (eight partial sums reduced in a fixed tree). Multiplies and adds are separate
//! operations (Rust never fuses them; no FMA), so a result is the same on every target.
//! `conv1d` gives the bits of a one-row `conv2d` (tested).
//!
//! # Tested
//!
//! Every backward against central finite differences in f64 (tight) and f32 (loose),
//! over shapes with odd sizes, strides larger than the kernel, VALID and SAME; every
//! forward against a naive loop over an explicitly zero-padded image; conv2d, depthwise,
//! conv1d and the pools, forward and backward, against values computed by an independent
//! NumPy implementation (`scripts/conv_goldens.py`, data in `tests/data/conv/`, read by the
//! tests so CI needs no Python); the size checks' messages word for word.

// only tests call some kernels (relu6's slice kernels, the conv1d fold of batch norm)
#![allow(dead_code)]
// the kernels walk several arrays by the same index, which reads best as an index
#![allow(clippy::needless_range_loop)]

pub(crate) mod batch_norm;
pub(crate) mod conv1d;
pub(crate) mod conv2d;
pub(crate) mod depthwise;
pub(crate) mod flatten;
pub(crate) mod lanes;
pub(crate) mod pool;
pub(crate) mod relu6;
pub(crate) mod shape;

#[cfg(test)]
mod tests;
