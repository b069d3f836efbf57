//! Training allocates nothing: a counting global allocator sees no allocation during
//! per-sample steps, inference, batched steps or a batched `Trainer` epoch (whose
//! buffers the caller owns).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use typenet::{
    Dense, Init, Layer, Mse, Sgd, Sigmoid, SplitMix64, Trainer, batch, infer, train_step,
    train_step_batch,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; it only counts the calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

type Mnist = (Dense<784, 128>, Sigmoid<128>, Dense<128, 10>, Sigmoid<10>);
type Xor = (Dense<2, 4>, Sigmoid<4>, Dense<4, 1>, Sigmoid<1>);

/// Allocations made while `f` runs. The test harness's own threads may allocate, so the
/// counted section is kept short and run in a single test function.
fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn training_steps_allocate_nothing() {
    // everything big is set up (on the heap) before counting starts
    let mut net: Box<Mnist> = Box::new(Mnist::zeroed());
    net.init_params(Init::Uniform, &mut SplitMix64::new(1));
    let mut grads: Box<Mnist> = Box::new(Mnist::zeroed());
    let xs = vec![[0.25f32; 784]; 64];
    let ts = vec![[0.0f32; 10]; 64];
    let mut ws = vec![0.0f32; batch::workspace_len::<Mnist>(64)];
    let mut xor: Xor = Layer::initialized(Init::Uniform, &mut SplitMix64::new(2));
    let mut xor_grads = Xor::zeroed();
    let mut sgd = Sgd::new(0.01).unwrap();
    let (x, t) = (&xs[0], &ts[0]);
    let mut pairs: Vec<([f32; 784], [f32; 10])> =
        xs.iter().copied().zip(ts.iter().copied()).collect();
    let schedule = Trainer::new(1, 16);
    let mut trainer_ws = vec![0.0f32; schedule.workspace_len::<Mnist>()];
    let mut rng = SplitMix64::new(3);

    // warm up anything lazily initialised (the CPU-feature cache)
    train_step(&mut *net, &mut *grads, &Mse::new(), &mut sgd, x, t);

    let n = allocations_during(|| {
        for _ in 0..3 {
            train_step(&mut *net, &mut *grads, &Mse::new(), &mut sgd, x, t);
            std::hint::black_box(infer(&*net, x));
            train_step(
                &mut xor,
                &mut xor_grads,
                &Mse::new(),
                &mut sgd,
                &[1.0, 0.0],
                &[1.0],
            );
            train_step_batch(
                &mut *net,
                &mut *grads,
                &Mse::new(),
                &mut sgd,
                &xs,
                &ts,
                &mut ws,
            )
            .unwrap();
            schedule
                .with_workspace(&mut trainer_ws[..])
                .fit_with(
                    &mut *net,
                    &mut *grads,
                    &Mse::new(),
                    &mut sgd,
                    &mut pairs,
                    &mut rng,
                    |_, _| std::ops::ControlFlow::Continue(()),
                )
                .unwrap();
        }
    });
    assert_eq!(n, 0, "{n} heap allocations during training");

    // the counter does count: a Vec allocates
    let n = allocations_during(|| {
        std::hint::black_box(vec![1u8; 10]);
    });
    assert!(n >= 1);
}
