//! `Serialize` and `Deserialize` for the layers (feature `serde`).
//!
//! A [`Dense`] is a struct `{ weights: [[..I..]; O], bias: [..O..] }` (arrays as
//! fixed-length tuples, so JSON shows nested arrays), an activation is a unit struct
//! (`null` in JSON). Tuples of layers use serde's own tuple impls, and a user struct of
//! layers can `#[derive(Serialize, Deserialize)]`. Deserializing checks every array's
//! length and that every value is finite, so a `Dense<2, 4>` document does not load into
//! a `Dense<4, 2>`.
//!
//! ```
//! use typenet::{Dense, Sigmoid};
//! let net = (Dense::<2, 1>::new([[1.0, 1.0]], [-1.5]), Sigmoid::<1>::new());
//! let json = serde_json::to_string(&net).unwrap();
//! assert_eq!(json, r#"[{"weights":[[1.0,1.0]],"bias":[-1.5]},null]"#);
//! let back: (Dense<2, 1>, Sigmoid<1>) = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, net);
//! assert!(serde_json::from_str::<(Dense<1, 2>, Sigmoid<2>)>(&json).is_err());
//! ```

use crate::layers::{Dense, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Step, Tanh};
use crate::scalar::Scalar;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

/// Serializes a slice as a fixed-length tuple.
struct Tuple<'a, T>(&'a [T]);

impl<T: Serialize> Serialize for Tuple<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for v in self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

/// Rows of a matrix, each a fixed-length tuple.
struct Rows<'a, T, const I: usize>(&'a [[T; I]]);

impl<T: Serialize, const I: usize> Serialize for Rows<'_, T, I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for row in self.0 {
            t.serialize_element(&Tuple(row))?;
        }
        t.end()
    }
}

impl<const I: usize, const O: usize, T: Scalar + Serialize> Serialize for Dense<I, O, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Dense", 2)?;
        st.serialize_field("weights", &Rows(&self.weights))?;
        st.serialize_field("bias", &Tuple(&self.bias))?;
        st.end()
    }
}

/// Reads a finite scalar.
#[derive(Clone, Copy)]
struct Finite<T>(PhantomData<T>);

impl<'de, T: Scalar + Deserialize<'de>> DeserializeSeed<'de> for Finite<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        let v = T::deserialize(d)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(de::Error::custom(
                "a parameter is not finite (NaN or infinite)",
            ))
        }
    }
}

/// Reads a tuple of exactly `N` elements with the seed `elem`, starting from `zero`.
#[derive(Clone, Copy)]
struct ArraySeed<S, V, const N: usize> {
    elem: S,
    zero: V,
}

impl<'de, S, V, const N: usize> DeserializeSeed<'de> for ArraySeed<S, V, N>
where
    S: DeserializeSeed<'de, Value = V> + Copy,
    V: Copy,
{
    type Value = [V; N];
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<[V; N], D::Error> {
        d.deserialize_tuple(N, self)
    }
}

impl<'de, S, V, const N: usize> Visitor<'de> for ArraySeed<S, V, N>
where
    S: DeserializeSeed<'de, Value = V> + Copy,
    V: Copy,
{
    type Value = [V; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of {N} elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[V; N], A::Error> {
        let mut out = [self.zero; N];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = seq
                .next_element_seed(self.elem)?
                .ok_or_else(|| de::Error::invalid_length(i, &self))?;
        }
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(N + 1, &self));
        }
        Ok(out)
    }
}

fn vector<T: Scalar, const N: usize>() -> ArraySeed<Finite<T>, T, N> {
    ArraySeed {
        elem: Finite(PhantomData),
        zero: T::zero(),
    }
}

fn matrix<T: Scalar, const I: usize, const O: usize>()
-> ArraySeed<ArraySeed<Finite<T>, T, I>, [T; I], O> {
    ArraySeed {
        elem: vector::<T, I>(),
        zero: [T::zero(); I],
    }
}

struct DenseVisitor<const I: usize, const O: usize, T>(PhantomData<T>);

const FIELDS: &[&str] = &["weights", "bias"];

/// A `Dense` field name (serde's derive is not a dependency, so this is by hand).
enum Field {
    Weights,
    Bias,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`weights` or `bias`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                match v {
                    "weights" => Ok(Field::Weights),
                    "bias" => Ok(Field::Bias),
                    _ => Err(E::unknown_field(v, FIELDS)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field, E> {
                match v {
                    0 => Ok(Field::Weights),
                    1 => Ok(Field::Bias),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

impl<'de, const I: usize, const O: usize, T> Visitor<'de> for DenseVisitor<I, O, T>
where
    T: Scalar + Deserialize<'de>,
{
    type Value = Dense<I, O, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a Dense<{I}, {O}>: {O} weight rows of {I} and {O} biases"
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let weights = seq
            .next_element_seed(matrix::<T, I, O>())?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let bias = seq
            .next_element_seed(vector::<T, O>())?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Ok(Dense::new(weights, bias))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut weights, mut bias) = (None, None);
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Weights if weights.is_none() => {
                    weights = Some(map.next_value_seed(matrix::<T, I, O>())?);
                }
                Field::Bias if bias.is_none() => {
                    bias = Some(map.next_value_seed(vector::<T, O>())?);
                }
                Field::Weights => return Err(de::Error::duplicate_field("weights")),
                Field::Bias => return Err(de::Error::duplicate_field("bias")),
            }
        }
        Ok(Dense::new(
            weights.ok_or_else(|| de::Error::missing_field("weights"))?,
            bias.ok_or_else(|| de::Error::missing_field("bias"))?,
        ))
    }
}

impl<'de, const I: usize, const O: usize, T> Deserialize<'de> for Dense<I, O, T>
where
    T: Scalar + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("Dense", FIELDS, DenseVisitor::<I, O, T>(PhantomData))
    }
}

struct UnitVisitor<L>(&'static str, PhantomData<L>);

impl<L: Default> Visitor<'_> for UnitVisitor<L> {
    type Value = L;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the unit struct {}", self.0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<L, E> {
        Ok(L::default())
    }
}

macro_rules! unit_serde {
    ($($name:ident),*) => {$(
        impl<const N: usize, T> Serialize for $name<N, T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_unit_struct(stringify!($name))
            }
        }
        impl<'de, const N: usize, T> Deserialize<'de> for $name<N, T> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_unit_struct(stringify!($name), UnitVisitor(stringify!($name), PhantomData))
            }
        }
    )*};
}
unit_serde!(Identity, Relu, Sigmoid, Softmax, Step, Tanh);

/// A `LeakyRelu` is a newtype struct of its slope (in JSON, just the number).
impl<const N: usize, T: Scalar + Serialize> Serialize for LeakyRelu<N, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("LeakyRelu", &self.slope)
    }
}

impl<'de, const N: usize, T: Scalar + Deserialize<'de>> Deserialize<'de> for LeakyRelu<N, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SlopeVisitor<const N: usize, T>(PhantomData<T>);
        impl<'de, const N: usize, T: Scalar + Deserialize<'de>> Visitor<'de> for SlopeVisitor<N, T> {
            type Value = LeakyRelu<N, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a LeakyRelu's slope")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                Finite::<T>(PhantomData)
                    .deserialize(d)
                    .map(LeakyRelu::with_slope)
            }
        }
        d.deserialize_newtype_struct("LeakyRelu", SlopeVisitor::<N, T>(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    #[test]
    fn json_round_trip_and_rejections() {
        let d = Dense::<3, 2, f64>::new([[1.0, -2.5, 3.25], [0.0, 1e-7, -4.0]], [0.5, -0.5]);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Dense<3, 2, f64>>(&json).unwrap(), d);
        // fields in either order
        let swapped = r#"{"bias":[0.5,-0.5],"weights":[[1,-2.5,3.25],[0,1e-7,-4]]}"#;
        assert_eq!(
            serde_json::from_str::<Dense<3, 2, f64>>(swapped).unwrap(),
            d
        );
        // wrong lengths, in either dimension, are errors
        assert!(serde_json::from_str::<Dense<2, 3, f64>>(&json).is_err());
        assert!(serde_json::from_str::<Dense<3, 3, f64>>(&json).is_err());
        assert!(serde_json::from_str::<Dense<3, 1, f64>>(&json).is_err());
        let missing = r#"{"weights":[[1,2,3],[4,5,6]]}"#;
        let err = serde_json::from_str::<Dense<3, 2, f64>>(missing).unwrap_err();
        assert!(err.to_string().contains("missing field `bias`"), "{err}");
        // out-of-range numbers parse to infinity in f32 and are refused
        let huge = r#"{"weights":[[1e60]],"bias":[0]}"#;
        let err = serde_json::from_str::<Dense<1, 1>>(huge).unwrap_err();
        assert!(err.to_string().contains("not finite"), "{err}");
    }

    #[test]
    fn settings_and_parameterless_layers_serialize() {
        let net = (
            Dense::<2, 2>::new([[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5]),
            LeakyRelu::<2>::with_slope(0.25),
            Softmax::<2>::new(),
        );
        let json = serde_json::to_string(&net).unwrap();
        assert_eq!(
            json,
            r#"[{"weights":[[1.0,2.0],[3.0,4.0]],"bias":[0.5,-0.5]},0.25,null]"#
        );
        let back: (Dense<2, 2>, LeakyRelu<2>, Softmax<2>) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, net);
        let bad = r#"[{"weights":[[1,2],[3,4]],"bias":[0,0]},1e60,null]"#;
        assert!(serde_json::from_str::<(Dense<2, 2>, LeakyRelu<2>, Softmax<2>)>(bad).is_err());
    }
}
