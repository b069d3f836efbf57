//! A network too large to build on the stack: 784 → 128 → 10 (MNIST-sized), trained on
//! synthetic data on the default 2 MiB stack of a test thread, in debug and release builds
//! (CI runs this file both ways).
//!
//! The network is 407 KB; with its gradients and Adam's two moments that is 1.6 MB, and an
//! unoptimised build makes temporary copies of values it returns. So everything large is
//! built in place on the heap (`boxed_initialized`, `boxed_zeroed`, `Adam::boxed`), and
//! training itself keeps only vectors on the stack.

use rand_core::Rng;
use std::ops::ControlFlow;
use typenet::weights::{ByteImage, ImageSize};
use typenet::{
    Adam, Class, Dense, Init, Layer, Relu, Sgd, SoftmaxCrossEntropy, SplitMix64, Trainer, accuracy,
    boxed_initialized, boxed_zeroed,
};

type Mnist = (Dense<784, 128>, Relu<128>, Dense<128, 10>);

fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// Ten random "prototype" images with pixels in `[0, 1]`.
fn prototypes(rng: &mut SplitMix64) -> Vec<[f32; 784]> {
    (0..10)
        .map(|_| core::array::from_fn(|_| unit(rng)))
        .collect()
}

/// `per_class` samples of each prototype, every pixel disturbed by uniform noise of ±0.5,
/// as large as a pixel's own range.
fn samples(
    protos: &[[f32; 784]],
    rng: &mut SplitMix64,
    per_class: usize,
) -> Vec<([f32; 784], Class<10>)> {
    let mut data = Vec::new();
    for _ in 0..per_class {
        for (k, p) in protos.iter().enumerate() {
            let x = p.map(|v| v + unit(rng) - 0.5);
            data.push((x, Class::new(k).unwrap()));
        }
    }
    data
}

#[test]
fn mnist_sized_network_trains_on_a_test_thread_stack() {
    // Four values of this type (network, gradients, two Adam moments) are most of the
    // 2 MiB stack; debug-build temporaries would push them over.
    const { assert!(4 * <Mnist as Layer>::BYTES > 1_600_000) };

    let mut rng = SplitMix64::new(42);
    let protos = prototypes(&mut rng);
    let mut train = samples(&protos, &mut rng, 12);
    let test = samples(&protos, &mut rng, 10);

    let mut net: Box<Mnist> = boxed_initialized(Init::HeUniform, &mut rng);
    let mut grads: Box<Mnist> = boxed_zeroed();
    let mut adam = Adam::boxed(0.001).unwrap();

    let before = accuracy(&*net, &test);
    let mut losses = Vec::new();
    Trainer::new(2, 10)
        .fit_with(
            &mut *net,
            &mut *grads,
            &SoftmaxCrossEntropy::new(),
            &mut adam,
            &mut train,
            &mut rng,
            |epoch, _| {
                losses.push(epoch.loss);
                ControlFlow::Continue(())
            },
        )
        .expect("training succeeds");
    let after = accuracy(&*net, &test);
    eprintln!("784-128-10: accuracy {before} → {after}, losses {losses:?}");
    assert!(losses[1] < losses[0], "{losses:?}");
    assert!(
        after >= 0.9 && after > before,
        "accuracy {before} → {after}, losses {losses:?}"
    );
}

/// 1024 → 512 → 10: 2.1 MB of `f32`, eight times the 256 KiB stack of the thread it is
/// built, trained, saved and loaded on. Nothing the size of the network may touch that
/// stack: `boxed_zeroed` and `boxed_initialized` build in place, the optimizer keeps no
/// state, and the image goes to a file or a heap buffer and comes back in pieces
/// (`save`, `write_bytes`, `load_into`, `load_bytes`). In debug builds too, where every
/// value a function returns would be a slot in its frame.
#[test]
fn a_2_mb_network_trains_saves_and_loads_on_a_256_kib_stack() {
    type Big = (Dense<1024, 512>, Relu<512>, Dense<512, 10>);
    const { assert!(<Big as Layer>::BYTES > 2_000_000) };
    let path = std::env::temp_dir().join(format!("typenet-big-{}.tnet", std::process::id()));
    let thread_path = path.clone();
    let run = move || {
        let mut rng = SplitMix64::new(5);
        let mut net: Box<Big> = boxed_initialized(Init::HeUniform, &mut rng);
        let mut grads: Box<Big> = boxed_zeroed();
        let mut data: Vec<([f32; 1024], Class<10>)> = (0..20)
            .map(|i| {
                let x = core::array::from_fn(|_| unit(&mut rng));
                (x, Class::new(i % 10).unwrap())
            })
            .collect();
        let before = bits(&*net);
        Trainer::new(1, 5)
            .fit_with(
                &mut *net,
                &mut *grads,
                &SoftmaxCrossEntropy::new(),
                &mut Sgd::new(0.01).unwrap(),
                &mut data,
                &mut rng,
                |_, _| ControlFlow::Continue(()),
            )
            .expect("training succeeds");
        assert_ne!(bits(&*net), before, "trained");

        // to a file and back, into a network on the heap
        net.save(&thread_path).expect("save");
        let mut loaded: Box<Big> = boxed_zeroed();
        loaded.load_into(&thread_path).expect("load");
        assert_eq!(bits(&*loaded), bits(&*net));

        // to a heap buffer and back
        let mut image = vec![0u8; <Big as ImageSize>::LEN];
        net.write_bytes(&mut image)
            .expect("the buffer has the image's length");
        assert_eq!(
            image,
            std::fs::read(&thread_path).unwrap(),
            "same bytes as the file"
        );
        let mut again: Box<Big> = boxed_zeroed();
        again.load_bytes(&image).expect("load");
        assert_eq!(bits(&*again), bits(&*net));

        // a bad image leaves the network untouched
        image[HEADER_END + 4 * 1000..HEADER_END + 4 * 1001]
            .copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(again.load_bytes(&image).is_err());
        assert_eq!(bits(&*again), bits(&*net));
    };
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(run)
        .expect("spawn")
        .join();
    let _ = std::fs::remove_file(&path);
    assert!(result.is_ok(), "the 256 KiB thread failed");
}

const HEADER_END: usize = typenet::weights::HEADER_LEN;

fn bits<N: Layer<Scalar = f32>>(net: &N) -> Vec<u32> {
    let mut v = Vec::new();
    net.visit_params(&mut |p| v.extend(p.iter().map(|x| x.to_bits())));
    v
}
