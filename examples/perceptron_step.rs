//! A perceptron with hand-set weights and a step activation computes AND — no training.
//!
//! `a = x₀ + x₁ − 1.5` is positive only when both inputs are 1, and `step(a)` turns that
//! into 0 or 1. The step's derivative is 0 everywhere it exists, so gradient descent could
//! never have found these weights: this is why training uses the sigmoid instead.

use typenet::{Dense, Layer, Mse, Step, infer};

/// The whole network lives in a `static`: built by `const fn`s, so it sits in flash on a
/// microcontroller and inference only reads it.
static AND_GATE: (Dense<2, 1>, Step<1>) = (Dense::new([[1.0, 1.0]], [-1.5]), Step::new());

fn main() {
    println!(
        "w = {:?}, b = {:?}",
        AND_GATE.0.weights[0], AND_GATE.0.bias[0]
    );
    let mut all_right = true;
    for (x0, x1) in [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)] {
        let a = AND_GATE.0.forward(&[x0, x1])[0];
        let y = infer(&AND_GATE, &[x0, x1])[0];
        let want = if x0 == 1.0 && x1 == 1.0 { 1.0 } else { 0.0 };
        all_right &= y == want;
        println!("{x0} AND {x1}: a = {a:+.1}, step(a) = {y}");
    }

    // Backward through the step: the gradient that reaches the weights is zero.
    let mut grads = <(Dense<2, 1>, Step<1>)>::zeroed();
    typenet::accumulate(&AND_GATE, &mut grads, &Mse::new(), &[1.0, 0.0], &[1.0]);
    println!(
        "∂E/∂w through the step for a wrong answer: {:?} (step' = 0, nothing to learn from)",
        grads.0.weights[0]
    );
    assert!(all_right, "the hand-set perceptron must compute AND");
    assert_eq!(grads.0.weights[0], [0.0, 0.0]);
    println!("all four right");
}
