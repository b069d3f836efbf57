//! ADD in a chain of operators: a skip (the chain joined with one of its earlier
//! tensors, `Residual`) or two branches from one tensor joined again (`Parallel`).
//!
//! The importers walk the operators in the file's order, keeping the layers so far in a
//! list. [`Joins`] remembers where each tensor of the chain was made (its position in
//! that list), so that an ADD reading an earlier tensor wraps the layers since then into
//! a skip, and an operator reading an earlier tensor starts a second branch there: the
//! layers since that tensor are set aside as the first branch until an ADD joins it
//! with the second. Every other shape of graph is an error naming the operator.

use super::model::{Model, Operator, SubGraph, Tensor};
use super::ops;

/// Where a tensor of the chain was made.
struct Point<S> {
    tensor: usize,
    /// The number of layers before it.
    at: usize,
    /// Its size and shape.
    state: S,
}

/// A first branch set aside while the second one is read.
struct Pending<T, S> {
    /// The operator that started the second branch.
    op: usize,
    /// Where both branches start (position in the layer list).
    start: usize,
    /// The first branch's last tensor.
    end: usize,
    /// Its size and shape.
    state: S,
    /// The first branch's layers.
    steps: Vec<T>,
}

/// What an ADD joins.
pub enum Join<T> {
    /// `x + block(x)`: the chain with its earlier tensor `x`.
    Skip {
        /// The layers between `x` and the ADD.
        block: Vec<T>,
        /// The tensor `x`.
        skip: usize,
    },
    /// `a(x) + b(x)`: two branches from one tensor.
    Parallel {
        /// The first branch (set aside), and its last tensor.
        a: (Vec<T>, usize),
        /// The second branch (the chain since the fork).
        b: Vec<T>,
    },
}

/// The tensors of the chain an operator may still read, and the branches set aside.
pub struct Joins<T, S> {
    points: Vec<Point<S>>,
    pending: Vec<Pending<T, S>>,
    /// Tensors that already feed two operators.
    forks: Vec<usize>,
}

/// A tensor's size and shape as the importers track it, said in words.
pub trait Shape {
    /// `4 values` or `a 6×6×3 image`.
    fn said(&self) -> String;
}

fn said(n: usize, img: Option<(usize, usize, usize)>) -> String {
    img.map_or_else(
        || format!("{n} values"),
        |(h, w, c)| format!("a {h}×{w}×{c} image"),
    )
}

impl Shape for (usize, Option<(usize, usize, usize)>) {
    fn said(&self) -> String {
        said(self.0, self.1)
    }
}

impl Shape for (usize, Option<(usize, usize, usize)>, bool) {
    fn said(&self) -> String {
        said(self.0, self.1)
    }
}

impl<T, S: Clone + PartialEq + Shape> Joins<T, S> {
    /// The model's input, before any layer.
    pub fn new(input: usize, state: S) -> Self {
        Self {
            points: vec![Point {
                tensor: input,
                at: 0,
                state,
            }],
            pending: Vec::new(),
            forks: Vec::new(),
        }
    }

    /// Tensor `tensor` is made, after `at` layers.
    pub fn mark(&mut self, tensor: usize, at: usize, state: S) {
        self.points.push(Point { tensor, at, state });
    }

    /// Forgets the tensors made after `at` layers (they are inside a block now), and
    /// `also` (a tensor now read twice).
    fn close(&mut self, at: usize, also: Option<usize>) {
        self.points.retain(|p| p.at <= at && Some(p.tensor) != also);
        self.forks.extend(also);
    }

    /// The earliest position an operator may reach back to: the start of the branch
    /// being read.
    fn floor(&self) -> usize {
        self.pending.last().map_or(0, |p| p.start)
    }

    fn find(&self, tensor: usize) -> Option<&Point<S>> {
        self.points.iter().rev().find(|p| p.tensor == tensor)
    }

    /// Why operator `at` cannot read `tensor` (neither the previous output nor an open
    /// tensor of the chain).
    fn unreadable(&self, at: &str, tensor: usize, name: &str) -> String {
        if self.forks.contains(&tensor) {
            format!(
                "{at} reads {name}, which already feeds two operators: typenet imports a tensor read by at most two (a skip, or two branches joined again by one ADD)"
            )
        } else {
            format!(
                "{at} reads {name}, which is neither the previous operator's output nor an earlier tensor of the chain it could branch from: typenet imports a chain of operators, with ADD joining it to one of its earlier tensors (a skip) or joining two branches from one tensor"
            )
        }
    }

    /// Operator `op` (`at`) reads `x`, an earlier tensor of the chain, rather than the
    /// previous output `cur`: the layers since `x` become the first branch, set aside,
    /// and the chain goes on from `x`, whose state is returned.
    pub fn branch(
        &mut self,
        (op, at): (usize, &str),
        (x, name): (usize, &str),
        (cur, cur_state): (usize, S),
        steps: &mut Vec<T>,
    ) -> Result<S, String> {
        let floor = self.floor();
        let Some(p) = self.find(x).filter(|p| p.at >= floor) else {
            return Err(self.unreadable(at, x, name));
        };
        let (start, state) = (p.at, p.state.clone());
        if start == steps.len() {
            return Err(format!(
                "{at} reads {name}, and so does the operator after it, but the branch between them has no layer: typenet imports two branches from one tensor when each computes something"
            ));
        }
        let first = steps.split_off(start);
        self.close(start, Some(x));
        self.pending.push(Pending {
            op,
            start,
            end: cur,
            state: cur_state,
            steps: first,
        });
        Ok(state)
    }

    /// An ADD (`at`) of the previous output (of state `cur_state`) and `other`: what it
    /// joins.
    pub fn join(
        &mut self,
        at: &str,
        cur_state: &S,
        (other, name): (usize, &str),
        steps: &mut Vec<T>,
    ) -> Result<Join<T>, String> {
        if let Some(p) = self.pending.last().filter(|p| p.end == other) {
            if p.state != *cur_state {
                return Err(format!(
                    "{at} adds two branches of different shapes ({} and {}); typenet adds tensors of one shape (no broadcasting)",
                    p.state.said(),
                    cur_state.said()
                ));
            }
            let p = self.pending.pop().unwrap_or_else(|| unreachable!());
            let b = steps.split_off(p.start);
            self.close(p.start, None);
            return Ok(Join::Parallel {
                a: (p.steps, p.end),
                b,
            });
        }
        let floor = self.floor();
        let Some(p) = self.find(other).filter(|p| p.at >= floor) else {
            return Err(self.unreadable(at, other, name));
        };
        if p.state != *cur_state {
            return Err(format!(
                "{at} adds {name}, {}, to {}; typenet adds tensors of one shape (no broadcasting)",
                p.state.said(),
                cur_state.said()
            ));
        }
        let start = p.at;
        if start == steps.len() {
            return Err(format!(
                "{at} adds {name} to a tensor computed from it without a layer between them; typenet imports a skip around at least one layer"
            ));
        }
        let block = steps.split_off(start);
        self.close(start, Some(other));
        Ok(Join::Skip { block, skip: other })
    }

    /// At the end: every branch set aside was joined.
    pub fn finish(&self) -> Result<(), String> {
        match self.pending.last() {
            None => Ok(()),
            Some(p) => Err(format!(
                "operator {} starts a second branch that no ADD joins with the first: typenet imports two branches from one tensor when an ADD sums them",
                p.op
            )),
        }
    }
}

/// A tensor as messages name it: `` tensor `name` `` or `tensor 7`.
pub fn tensor_name(tensors: &[Tensor], t: usize) -> String {
    match tensors.get(t).map(|t| t.name.as_str()) {
        Some(name) if !name.is_empty() => format!("tensor `{name}`"),
        _ => format!("tensor {t}"),
    }
}

/// The ADD `op`'s operand other than the previous output `cur`, checked: two different
/// computed tensors of `n` values each, the output as large.
pub fn add_operand(
    at: &str,
    op: &Operator,
    cur: usize,
    (n, out_n): (usize, usize),
    tensors: &[Tensor],
    buffers: &[&[u8]],
) -> Result<usize, String> {
    let (a, b) = match op.inputs.as_slice() {
        &[Some(a), Some(b)] => (a, b),
        other => {
            return Err(format!(
                "{at} has {} inputs; an ADD has two",
                other.iter().flatten().count()
            ));
        }
    };
    if a == b {
        return Err(format!(
            "{at} adds {} to itself; typenet imports an ADD that joins the chain with an earlier tensor of it, or two branches from one tensor",
            tensor_name(tensors, a)
        ));
    }
    let other = if a == cur {
        b
    } else if b == cur {
        a
    } else {
        return Err(format!(
            "{at} does not read the previous operator's output ({} and {} instead of {}): typenet imports an ADD that joins the chain's last tensor with an earlier one",
            tensor_name(tensors, a),
            tensor_name(tensors, b),
            tensor_name(tensors, cur)
        ));
    };
    let constant = tensors
        .get(other)
        .and_then(|t| buffers.get(t.buffer))
        .is_some_and(|b| !b.is_empty());
    if constant {
        return Err(format!(
            "{at} adds the constant {}; typenet imports an ADD of two computed tensors (a skip or two branches)",
            tensor_name(tensors, other)
        ));
    }
    if out_n != n {
        return Err(format!(
            "{at} outputs {out_n} values from two tensors of {n}; typenet adds tensors of one shape (no broadcasting)"
        ));
    }
    Ok(other)
}

/// For a model with several inputs: an ADD of two of them is the operator to name.
pub fn inputs_added(model: &Model<'_>, graph: &SubGraph) -> Result<(), String> {
    for (k, op) in graph.operators.iter().enumerate() {
        let is_add = model
            .opcodes
            .get(op.opcode)
            .is_some_and(|c| ops::name(c.builtin) == Some("ADD"));
        let read: Vec<usize> = op
            .inputs
            .iter()
            .flatten()
            .copied()
            .filter(|t| graph.inputs.contains(t))
            .collect();
        if is_add && read.len() == 2 {
            return Err(format!(
                "operator {k} (ADD) adds the model's inputs {} and {}: typenet imports models with one input",
                tensor_name(&graph.tensors, read[0]),
                tensor_name(&graph.tensors, read[1])
            ));
        }
    }
    Ok(())
}

/// Items as one layer: the item itself, a tuple of up to 12 (typenet's longest chain),
/// or tuples of tuples for more.
pub fn tuple(mut items: Vec<proc_macro2::TokenStream>) -> proc_macro2::TokenStream {
    while items.len() > 12 {
        items = items.chunks(12).map(|c| tuple(c.to_vec())).collect();
    }
    if items.len() == 1 {
        return items.pop().unwrap_or_default();
    }
    quote::quote!((#(#items,)*))
}

#[cfg(test)]
mod tests {
    fn err(name: &str) -> String {
        let path = format!("{}/../tests/data/tflite/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path).unwrap();
        super::super::import_bytes(&bytes).unwrap_err()
    }

    /// More than 12 layers become tuples of tuples (typenet's chains are at most 12).
    #[test]
    fn long_branches_nest_their_tuples() {
        let items = |n: usize| (0..n).map(|k| quote::quote!(L #k)).collect::<Vec<_>>();
        assert_eq!(super::tuple(items(1)).to_string(), "L 0usize");
        assert_eq!(
            super::tuple(items(2)).to_string(),
            "(L 0usize , L 1usize ,)"
        );
        let t = super::tuple(items(13)).to_string();
        assert!(t.starts_with("((L 0usize , L 1usize ,"), "{t}");
        assert!(t.ends_with("L 11usize ,) , L 12usize ,)"), "{t}");
        // 12 · 12 + 1: three levels
        let t = super::tuple(items(145)).to_string();
        assert!(t.starts_with("(((L 0usize ,"), "{t}");
    }

    /// Graphs other than a chain with skips and two-branch sums: errors naming the
    /// operator (files written by scripts/tflite_models.py, `graph_errors`).
    #[test]
    fn other_graphs_are_refused_naming_the_operator() {
        let cases = [
            (
                "add_fanout.tflite",
                "operator 2 (FULLY_CONNECTED) reads tensor `input`, which already feeds two operators",
            ),
            (
                "add_unjoined.tflite",
                "operator 1 starts a second branch that no ADD joins with the first",
            ),
            (
                "add_inputs.tflite",
                "operator 0 (ADD) adds the model's inputs tensor `input` and tensor `second`",
            ),
            (
                "add_const.tflite",
                "operator 1 (ADD) adds the constant tensor `offset`",
            ),
            (
                "add_shapes.tflite",
                "operator 1 (ADD) adds tensor `input`, a 4×4×2 image, to a 4×4×3 image; typenet adds tensors of one shape (no broadcasting)",
            ),
        ];
        for (file, want) in cases {
            let e = err(file);
            assert!(e.starts_with(want), "{file}: {e}");
        }
    }
}
