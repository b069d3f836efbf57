//! The smallest network that learns: one perceptron, `Dense<2, 1>` → `Sigmoid<1>`, trained
//! with `Mse<1>` and plain SGD to compute AND.
//!
//! First it takes one sample and prints every factor of the chain rule, computed by hand
//! from the formulas and checked against what `backward` returns. Then it trains until
//! the loss is small and prints the truth table.

use typenet::{Dense, Layer, Loss, Mse, Sgd, Sigmoid, Train, train_step};

type Perceptron = (Dense<2, 1>, Sigmoid<1>);

const DATA: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [0.0]),
    ([1.0, 0.0], [0.0]),
    ([1.0, 1.0], [1.0]),
];

fn main() {
    // Start from small hand-picked weights so the printout is easy to follow.
    let mut net: Perceptron = (Dense::new([[0.2, -0.1]], [0.05]), Sigmoid::new());
    let loss = Mse::<1>::new();

    println!("== The chain rule for one sample ==");
    let (x, t) = DATA[3];
    let w = net.0.weights[0];
    let (y, cache) = net.forward_train(&x);
    let a = w[0] * x[0] + w[1] * x[1] + net.0.bias[0];
    println!("x = {x:?}, w = {w:?}, b = {:?}, t = {t:?}", net.0.bias[0]);
    println!("a = x·w + b          = {a:.6}");
    println!("y = σ(a)             = {:.6}", y[0]);
    println!("E = ½ (y − t)²       = {:.6}", loss.loss(&y, &t));
    let de_dy = y[0] - t[0];
    let dy_da = y[0] * (1.0 - y[0]);
    println!("∂E/∂y = y − t        = {de_dy:.6}");
    println!("∂y/∂a = y (1 − y)    = {dy_da:.6}");
    println!("∂a/∂w = x            = {x:?}");
    println!("∂a/∂b = 1");
    let by_hand_w = [de_dy * dy_da * x[0], de_dy * dy_da * x[1]];
    let by_hand_b = de_dy * dy_da;
    let by_hand_x = [de_dy * dy_da * w[0], de_dy * dy_da * w[1]];
    println!(
        "∂E/∂w = (y − t) σ'(a) x = [{:.6}, {:.6}]",
        by_hand_w[0], by_hand_w[1]
    );
    println!("∂E/∂b = (y − t) σ'(a)   = {by_hand_b:.6}");
    println!(
        "∂E/∂x = (y − t) σ'(a) w = [{:.6}, {:.6}]",
        by_hand_x[0], by_hand_x[1]
    );

    let mut grads = Perceptron::zeroed();
    let dx = net.backward(&cache, &loss.gradient(&y, &t), &mut grads);
    println!(
        "backward agrees:       ∂E/∂w = {:?}, ∂E/∂b = {:?}, ∂E/∂x = {dx:?}",
        grads.0.weights[0], grads.0.bias
    );
    let close = |p: f32, q: f32| (p - q).abs() < 1e-6;
    assert!(
        close(grads.0.weights[0][0], by_hand_w[0]) && close(grads.0.weights[0][1], by_hand_w[1])
    );
    assert!(
        close(grads.0.bias[0], by_hand_b)
            && close(dx[0], by_hand_x[0])
            && close(dx[1], by_hand_x[1])
    );

    println!("\n== Training with SGD (α = 2.0), one step per sample ==");
    let mut sgd = Sgd::new(2.0).expect("a valid rate");
    let mut epoch = 0;
    loop {
        epoch += 1;
        let mut total = 0.0;
        for (x, t) in &DATA {
            total += train_step(&mut net, &mut grads, &loss, &mut sgd, x, t);
        }
        if epoch == 1 || epoch % 100 == 0 || total < 0.01 {
            println!("epoch {epoch:4}: loss {total:.5}");
        }
        if total < 0.01 || epoch == 10_000 {
            break;
        }
    }

    println!("\n== Truth table ==");
    let mut all_right = true;
    for (x, t) in &DATA {
        let y = typenet::infer(&net, x)[0];
        let bit = u8::from(y > 0.5);
        all_right &= f32::from(bit) == t[0];
        println!("{} AND {} = {bit}   (y = {y:.4})", x[0], x[1]);
    }
    println!(
        "learned w = {:?}, b = {:?}; converged in {epoch} epochs: {}",
        net.0.weights[0],
        net.0.bias[0],
        if all_right { "all four right" } else { "WRONG" }
    );
    if !all_right {
        std::process::exit(1);
    }
}
