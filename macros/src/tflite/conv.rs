//! The image operators: CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D and MEAN
//! over height and width, on NHWC images of batch 1.

// Sizes are named as in the layers' types (h, w, c, kh, …); one match per operator.
#![allow(clippy::many_single_char_names, clippy::too_many_lines)]

use super::import::{Layer, Window};
use super::model::{Operator, Options, Tensor, activation};

/// Reads constant float32 tensor `index`, naming it `what` in an error.
pub type Constant<'a> = &'a dyn Fn(usize, &str) -> Result<Vec<f32>, String>;

/// An image's height, width and channels.
pub type Img = (usize, usize, usize);

/// `[1, h, w, c]` as an image, if the tensor has that shape.
pub fn image(t: &Tensor) -> Option<Img> {
    match *t.shape.as_slice() {
        [1, h, w, c] if h > 0 && w > 0 && c > 0 => Some((
            usize::try_from(h).ok()?,
            usize::try_from(w).ok()?,
            usize::try_from(c).ok()?,
        )),
        _ => None,
    }
}

/// The output length along one axis, as TFLite computes it, or `None` for a VALID window
/// larger than the input.
fn out_len(same: bool, input: usize, kernel: usize, stride: usize) -> Option<usize> {
    if same {
        Some(input.div_ceil(stride))
    } else {
        input.checked_sub(kernel).map(|d| d / stride + 1)
    }
}

/// The layer of a fused activation on an `oh × ow × c` image (NONE: none), or an error
/// naming the activation.
pub fn fused(at: &str, act: i8, (h, w, c): Img) -> Result<Option<Layer>, String> {
    let inner = match act {
        0 => return Ok(None),
        1 => Layer::Relu(c),
        3 => Layer::Relu6(c),
        a => {
            return Err(format!(
                "{at} has the fused activation {}, which typenet cannot import; NONE, RELU and RELU6 are supported",
                activation::name(a)
            ));
        }
    };
    Ok(Some(Layer::PerPixel {
        h,
        w,
        inner: Box::new(inner),
    }))
}

/// The window of a convolution or pool with these options on image `img`, checked
/// against the output tensor.
pub fn window(
    at: &str,
    img: Img,
    padding: i8,
    stride: (i32, i32),
    dilation: (i32, i32),
    kernel: (usize, usize),
) -> Result<Window, String> {
    let (h, w, c) = img;
    if dilation != (1, 1) {
        return Err(format!(
            "{at} has the dilation {}×{} (height × width); typenet's convolutions have dilation 1",
            dilation.0, dilation.1
        ));
    }
    let same = match padding {
        0 => true,
        1 => false,
        p => {
            return Err(format!(
                "{at} has the padding {p}, neither SAME (0) nor VALID (1)"
            ));
        }
    };
    let (sh, sw) = match (usize::try_from(stride.0), usize::try_from(stride.1)) {
        (Ok(a), Ok(b)) if a > 0 && b > 0 => (a, b),
        _ => {
            return Err(format!(
                "{at} has the stride {}×{}; strides are at least 1",
                stride.0, stride.1
            ));
        }
    };
    let (kh, kw) = kernel;
    if kh == 0 || kw == 0 {
        return Err(format!("{at} has a {kh}×{kw} window"));
    }
    let (Some(oh), Some(ow)) = (out_len(same, h, kh, sh), out_len(same, w, kw, sw)) else {
        return Err(format!(
            "{at}: its {kh}×{kw} VALID window is larger than its {h}×{w} input"
        ));
    };
    Ok(Window {
        h,
        w,
        c,
        kh,
        kw,
        sh,
        sw,
        same,
        oh,
        ow,
    })
}

/// Checks the output tensor's shape against `[1, oh, ow, c]`.
pub fn check_out(at: &str, (oh, ow, c): Img, t_out: &Tensor) -> Result<(), String> {
    if image(t_out) == Some((oh, ow, c)) {
        Ok(())
    } else {
        Err(format!(
            "{at}'s output has shape {:?}, but its window makes it [1, {oh}, {ow}, {c}]",
            t_out.shape
        ))
    }
}

/// The shape of a 4-D constant's tensor, as sizes.
pub fn dims4(at: &str, what: &str, t: &Tensor) -> Result<[usize; 4], String> {
    match *t.shape.as_slice() {
        [a, b, c, d] => {
            let u = |v: i32| usize::try_from(v).unwrap_or(0);
            Ok([u(a), u(b), u(c), u(d)])
        }
        _ => Err(format!(
            "{at}'s {what} have shape {:?}; expected 4 dimensions",
            t.shape
        )),
    }
}

/// A bias of `n` values, or zeros when the operator has none.
fn bias(at: &str, op: &Operator, n: usize, constant: Constant<'_>) -> Result<Vec<f32>, String> {
    match op.inputs.get(2).copied().flatten() {
        None => Ok(vec![0.0; n]),
        Some(b) => {
            let v = constant(b, &format!("{at}'s bias"))?;
            if v.len() == n {
                Ok(v)
            } else {
                Err(format!(
                    "{at}'s bias holds {} values, but there are {n} output channels",
                    v.len()
                ))
            }
        }
    }
}

/// The layers (the operator's, then its fused activation's) and the output image of one
/// image operator.
pub fn layers(
    at: &str,
    name: &str,
    op: &Operator,
    img: Img,
    tensors: &[Tensor],
    t_out: &Tensor,
    constant: Constant<'_>,
) -> Result<(Vec<Layer>, Img), String> {
    let filter = || -> Result<(usize, &Tensor), String> {
        let f = op
            .inputs
            .get(1)
            .copied()
            .flatten()
            .ok_or_else(|| format!("{at} has no filter tensor"))?;
        Ok((f, &tensors[f]))
    };
    let (main, act, out) = match (name, &op.options) {
        (
            "CONV_2D",
            &Options::Conv2d {
                padding,
                stride,
                dilation,
                activation,
            },
        ) => {
            let (f, t) = filter()?;
            let [o, kh, kw, c] = dims4(at, "filter", t)?;
            if c != img.2 || o == 0 {
                return Err(format!(
                    "{at}'s filter has shape {:?} ([outputs, height, width, channels]), but its input has {} channels",
                    t.shape, img.2
                ));
            }
            let win = window(at, img, padding, stride, dilation, (kh, kw))?;
            let out = (win.oh, win.ow, o);
            check_out(at, out, t_out)?;
            let weights = constant(f, &format!("{at}'s filter"))?;
            let bias = bias(at, op, o, constant)?;
            (
                Layer::Conv2d {
                    win,
                    o,
                    weights,
                    bias,
                },
                activation,
                out,
            )
        }
        (
            "DEPTHWISE_CONV_2D",
            &Options::DepthwiseConv2d {
                padding,
                stride,
                depth_multiplier,
                dilation,
                activation,
            },
        ) => {
            let (f, t) = filter()?;
            let [one, kh, kw, cm] = dims4(at, "filter", t)?;
            let c = img.2;
            let m = usize::try_from(depth_multiplier).unwrap_or(0);
            if one != 1 || m == 0 || cm != c * m {
                return Err(format!(
                    "{at}'s filter has shape {:?} and depth multiplier {depth_multiplier}, but its input has {c} channels: expected [1, height, width, {c} × multiplier]",
                    t.shape
                ));
            }
            let win = window(at, img, padding, stride, dilation, (kh, kw))?;
            let out = (win.oh, win.ow, cm);
            check_out(at, out, t_out)?;
            let weights = constant(f, &format!("{at}'s filter"))?;
            let bias = bias(at, op, cm, constant)?;
            (
                Layer::Depthwise {
                    win,
                    m,
                    weights,
                    bias,
                },
                activation,
                out,
            )
        }
        (
            "MAX_POOL_2D" | "AVERAGE_POOL_2D",
            &Options::Pool2d {
                padding,
                stride,
                filter,
                activation,
            },
        ) => {
            let size = |v: i32| usize::try_from(v).unwrap_or(0);
            let win = window(
                at,
                img,
                padding,
                stride,
                (1, 1),
                (size(filter.0), size(filter.1)),
            )?;
            let out = (win.oh, win.ow, img.2);
            check_out(at, out, t_out)?;
            let max = name == "MAX_POOL_2D";
            (Layer::Pool { win, max }, activation, out)
        }
        (_, other) => {
            return Err(format!(
                "{at} has no options, or options of the wrong kind ({other:?})"
            ));
        }
    };
    let mut layers = vec![main];
    layers.extend(fused(at, act, out)?);
    Ok((layers, out))
}

/// MEAN over height and width (global average pooling) of image `img`: the layer, or an
/// error.
pub fn mean(
    at: &str,
    op: &Operator,
    img: Img,
    tensors: &[Tensor],
    buffers: &[&[u8]],
    t_out: &Tensor,
) -> Result<Layer, String> {
    let axes = op
        .inputs
        .get(1)
        .copied()
        .flatten()
        .map(|a| &tensors[a])
        .and_then(|t| buffers.get(t.buffer))
        .filter(|b| b.len() % 4 == 0)
        .map(|b| {
            let mut v: Vec<i32> = b
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            v.sort_unstable();
            v
        });
    if axes.as_deref() != Some(&[1, 2]) {
        return Err(format!(
            "{at} averages over the axes {axes:?}; typenet imports MEAN over height and width (axes [1, 2]) as global average pooling"
        ));
    }
    let c = img.2;
    let n = t_out
        .shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?));
    if n != Some(c) {
        return Err(format!(
            "{at}'s output has shape {:?}, but averaging a {}×{}×{c} image over height and width leaves {c} values",
            t_out.shape, img.0, img.1
        ));
    }
    Ok(Layer::GlobalAvgPool {
        h: img.0,
        w: img.1,
        c,
    })
}
