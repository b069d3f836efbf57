//! Batch norm: the training forward against statistics computed another way, its
//! backward against finite differences (the batch statistics depend on every input, so
//! every input is perturbed), the running averages, inference, and folding.

use super::conv::padding;
use super::{Flat, Tol, assert_close, check_fd, random, to_f64, weighted_sum, zeros};
use crate::conv::batch_norm::{self, BatchNormError};
use crate::conv::shape::{Axis, Window2d};
use crate::conv::{conv1d, conv2d, depthwise};
use crate::rng::SplitMix64;
use std::vec::Vec;

/// `m` rows of `C` channels, shifted and scaled per channel so the statistics are not
/// those of `U(-1, 1)`.
fn rows<T: Tol, const C: usize, const M: usize>(rng: &mut SplitMix64) -> [[T; C]; M] {
    let mut x: [[T; C]; M] = random(rng);
    for row in &mut x {
        for (c, v) in row.iter_mut().enumerate() {
            *v = *v * T::from_usize(c + 1) + T::from_f64(0.5 * c as f64 - 1.0);
        }
    }
    x
}

fn train_case<T: Tol, const C: usize, const M: usize>(seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let eps = T::from_f64(1e-3);
    let mut x = rows::<T, C, M>(&mut rng);
    let mut gamma: [T; C] = random(&mut rng);
    let mut beta: [T; C] = random(&mut rng);
    let r: [[T; C]; M] = random(&mut rng);
    let case = std::format!("batch norm {M}×{C}");

    let mut y = zeros::<[[T; C]; M]>();
    let stats = batch_norm::forward_train(&x, &gamma, &beta, eps, &mut y).unwrap();
    // statistics another way: variance as E[x²] − μ², in f64
    let xf = to_f64(x.flat());
    let mut want = std::vec![0.0; M * C];
    for c in 0..C {
        let col: Vec<f64> = (0..M).map(|i| xf[i * C + c]).collect();
        let mean = col.iter().sum::<f64>() / M as f64;
        let var = col.iter().map(|v| v * v).sum::<f64>() / M as f64 - mean * mean;
        assert_close(
            &std::format!("{case} mean"),
            &[stats.mean[c].f64()],
            &[mean],
            T::FWD * 10.0,
        );
        assert_close(
            &std::format!("{case} var"),
            &[stats.var[c].f64()],
            &[var],
            T::FWD * 100.0,
        );
        for i in 0..M {
            want[i * C + c] =
                gamma[c].f64() * (col[i] - mean) / (var + eps.f64()).sqrt() + beta[c].f64();
        }
    }
    assert_close(&case, &to_f64(y.flat()), &want, T::FWD * 100.0);

    let mut dx = zeros::<[[T; C]; M]>();
    let (mut dgamma, mut dbeta) = ([T::zero(); C], [T::zero(); C]);
    batch_norm::backward(&x, &stats, &gamma, &r, &mut dx, &mut dgamma, &mut dbeta).unwrap();

    let loss = |x: &[[T; C]; M], gamma: &[T; C], beta: &[T; C]| {
        let mut y = zeros::<[[T; C]; M]>();
        batch_norm::forward_train(x, gamma, beta, eps, &mut y).unwrap();
        weighted_sum(r.flat(), y.flat())
    };
    let (x0, g0, b0) = (x, gamma, beta);
    check_fd(
        &std::format!("{case} ∂E/∂x"),
        x.flat_mut(),
        dx.flat(),
        |v| {
            let mut xa = x0;
            xa.flat_mut().copy_from_slice(v);
            loss(&xa, &g0, &b0)
        },
    );
    check_fd(
        &std::format!("{case} ∂E/∂γ"),
        &mut gamma,
        &dgamma,
        |v| loss(&x0, v.try_into().unwrap(), &b0),
    );
    check_fd(&std::format!("{case} ∂E/∂β"), &mut beta, &dbeta, |v| {
        loss(&x0, &g0, v.try_into().unwrap())
    });

    // running averages: momentum 1 takes this batch's mean and unbiased variance
    let (mut rm, mut rv) = ([T::zero(); C], [T::one(); C]);
    batch_norm::update_running(&mut rm, &mut rv, &stats, T::one());
    for c in 0..C {
        let col: Vec<f64> = (0..M).map(|i| xf[i * C + c]).collect();
        let mean = col.iter().sum::<f64>() / M as f64;
        let unbiased = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (M - 1) as f64;
        assert_close("running mean", &[rm[c].f64()], &[mean], T::FWD * 10.0);
        assert_close("running var", &[rv[c].f64()], &[unbiased], T::FWD * 100.0);
    }
    // momentum 0 keeps them
    let (mut rm0, mut rv0) = (rm, rv);
    batch_norm::update_running(&mut rm0, &mut rv0, &stats, T::zero());
    assert_eq!((rm0, rv0), (rm, rv));
    // momentum 0.25 moves a quarter of the way from 0 and 1
    let (mut rm1, mut rv1) = ([T::zero(); C], [T::one(); C]);
    batch_norm::update_running(&mut rm1, &mut rv1, &stats, T::from_f64(0.25));
    for c in 0..C {
        assert_close(
            "momentum mean",
            &[rm1[c].f64()],
            &[0.25 * rm[c].f64()],
            T::FWD * 10.0,
        );
        assert_close(
            "momentum var",
            &[rv1[c].f64()],
            &[0.75 + 0.25 * rv[c].f64()],
            T::FWD * 10.0,
        );
    }
}

#[test]
fn batch_norm_training_matches_its_definition_and_finite_differences() {
    train_case::<f64, 3, 7>(71);
    train_case::<f32, 3, 7>(71);
    train_case::<f64, 1, 2>(72);
    train_case::<f32, 1, 2>(72);
    // a batch of 4 images of 3×3 pixels is 36 rows
    train_case::<f64, 5, 36>(73);
    train_case::<f32, 5, 36>(73);
}

#[test]
fn batch_norm_rejects_bad_input_before_writing() {
    let x: [[f64; 2]; 0] = [];
    let mut y: [[f64; 2]; 0] = [];
    let e = batch_norm::forward_train(&x, &[1.0; 2], &[0.0; 2], 1e-3, &mut y);
    assert_eq!(e, Err(BatchNormError::TooFewValues { got: 0 }));
    let x = [[1.0f64, 2.0], [3.0, 4.0]];
    let mut y3 = [[7.0f64, 7.0]; 3];
    let e = batch_norm::forward_train(&x, &[1.0; 2], &[0.0; 2], 1e-3, &mut y3);
    assert_eq!(e, Err(BatchNormError::Lengths));
    assert_eq!(y3, [[7.0, 7.0]; 3]);
    let mut y = [[0.0f64; 2]; 2];
    let stats = batch_norm::forward_train(&x, &[1.0; 2], &[0.0; 2], 1e-3, &mut y).unwrap();
    let (mut dx, mut dg, mut db) = ([[9.0f64; 2]; 3], [0.0; 2], [0.0; 2]);
    let e = batch_norm::backward(
        &x,
        &stats,
        &[1.0; 2],
        &[[1.0; 2]; 2],
        &mut dx,
        &mut dg,
        &mut db,
    );
    assert_eq!(e, Err(BatchNormError::Lengths));
    assert_eq!((dx, dg, db), ([[9.0; 2]; 3], [0.0; 2], [0.0; 2]));
    assert_eq!(batch_norm::check_settings(1e-3f64, 0.1), Ok(()));
    for (eps, momentum) in [
        (0.0, 0.1),
        (-1e-3, 0.1),
        (f64::NAN, 0.1),
        (f64::INFINITY, 0.1),
        (1e-3, 1.5),
        (1e-3, -0.1),
        (1e-3, f64::NAN),
    ] {
        assert_eq!(
            batch_norm::check_settings(eps, momentum),
            Err(BatchNormError::Settings),
            "ε {eps}, momentum {momentum}"
        );
    }
}

fn fold_case<T: Tol>(seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let eps = T::from_f64(1e-3);
    let gamma: [T; 4] = random(&mut rng);
    let beta: [T; 4] = random(&mut rng);
    let rm: [T; 4] = random(&mut rng);
    let mut rv: [T; 4] = random(&mut rng);
    for v in &mut rv {
        *v = v.abs() + T::from_f64(0.2);
    }
    let f = batch_norm::inference_affine(&gamma, &beta, &rm, &rv, eps);

    // inference against its definition
    let x: [[T; 4]; 6] = random(&mut rng);
    let mut y = zeros::<[[T; 4]; 6]>();
    batch_norm::forward_infer(&x, &f, &mut y);
    let want: Vec<f64> = (0..24)
        .map(|i| {
            let c = i % 4;
            gamma[c].f64() * (x.flat()[i].f64() - rm[c].f64()) / (rv[c].f64() + eps.f64()).sqrt()
                + beta[c].f64()
        })
        .collect();
    assert_close(
        "batch norm inference",
        &to_f64(y.flat()),
        &want,
        T::FWD * 10.0,
    );

    // conv2d then batch norm = the folded conv2d (up to rounding)
    let img: [[[T; 3]; 5]; 6] = random(&mut rng);
    let win = Window2d::new::<6, 5, 3, 3>("Conv2d", padding(true), (3, 2), (2, 2));
    let mut w: [[[[T; 3]; 2]; 3]; 4] = random(&mut rng);
    let mut b: [T; 4] = random(&mut rng);
    let mut out = zeros::<[[[T; 4]; 3]; 3]>();
    conv2d::forward(&img, &w, &b, &win, &mut out);
    let mut then_bn = zeros::<[[[T; 4]; 3]; 3]>();
    batch_norm::forward_infer(out.as_flattened(), &f, then_bn.as_flattened_mut());
    batch_norm::fold_into_conv2d(&mut w, &mut b, &f);
    conv2d::forward(&img, &w, &b, &win, &mut out);
    assert_close(
        "conv2d folded",
        &to_f64(out.flat()),
        &to_f64(then_bn.flat()),
        T::FWD * 10.0,
    );

    // depthwise (C = 2, M = 2: 4 output channels, the last weight index)
    let img: [[[T; 2]; 5]; 4] = random(&mut rng);
    let win = Window2d::new::<4, 5, 4, 5>("DepthwiseConv2d", padding(true), (3, 3), (1, 1));
    let mut w: [[[T; 4]; 3]; 3] = random(&mut rng);
    let mut b: [T; 4] = random(&mut rng);
    let mut out = zeros::<[[[T; 4]; 5]; 4]>();
    depthwise::forward::<T, 4, 5, 2, 2, 4, 3, 3, 4, 5>(&img, &w, &b, &win, &mut out);
    let mut then_bn = zeros::<[[[T; 4]; 5]; 4]>();
    batch_norm::forward_infer(out.as_flattened(), &f, then_bn.as_flattened_mut());
    batch_norm::fold_into_depthwise(&mut w, &mut b, &f);
    depthwise::forward::<T, 4, 5, 2, 2, 4, 3, 3, 4, 5>(&img, &w, &b, &win, &mut out);
    assert_close(
        "depthwise folded",
        &to_f64(out.flat()),
        &to_f64(then_bn.flat()),
        T::FWD * 10.0,
    );

    // conv1d
    let sig: [[T; 3]; 9] = random(&mut rng);
    let axis = Axis::checked::<9, 4>("Conv1d", padding(false), 3, 2);
    let mut w: [[[T; 3]; 3]; 4] = random(&mut rng);
    let mut b: [T; 4] = random(&mut rng);
    let mut out = zeros::<[[T; 4]; 4]>();
    conv1d::forward(&sig, &w, &b, &axis, &mut out);
    let mut then_bn = zeros::<[[T; 4]; 4]>();
    batch_norm::forward_infer(&out, &f, &mut then_bn);
    batch_norm::fold_into_conv1d(&mut w, &mut b, &f);
    conv1d::forward(&sig, &w, &b, &axis, &mut out);
    assert_close(
        "conv1d folded",
        &to_f64(out.flat()),
        &to_f64(then_bn.flat()),
        T::FWD * 10.0,
    );
}

#[test]
fn batch_norm_inference_matches_its_definition_and_folds_into_a_convolution() {
    fold_case::<f64>(81);
    fold_case::<f32>(82);
}
