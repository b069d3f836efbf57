//! `Serialize` and `Deserialize` for the layers (feature `serde`).
//!
//! Every layer gets them from `#[derive(Params)]`: a layer of several fields is a struct
//! of its parameters and settings (a [`Dense`](crate::Dense) is
//! `{ weights: [[..I..]; O], bias: [..O..] }`, arrays as fixed-length tuples, so JSON
//! shows nested arrays), a layer of one field a newtype struct of it (a
//! [`LeakyRelu`](crate::LeakyRelu) is its slope), a layer of no data a unit struct
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

use crate::scalar::Scalar;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

/// What the serde impls `#[derive(Params)]` writes call into: not part of the API.
#[doc(hidden)]
pub mod support {
    pub use serde;

    use super::{ArraySeed, Finite, Tuple};
    use core::fmt;
    use core::marker::PhantomData;
    use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
    use serde::{Serialize, Serializer};

    /// A value a layer field can hold: a finite scalar (`f32`, `f64`) or an array of values,
    /// written as fixed-length tuples.
    pub trait Value: Copy {
        /// A placeholder to fill an array before reading it.
        fn filler() -> Self;
        /// Writes the value.
        ///
        /// # Errors
        /// The serializer's.
        fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
        /// Reads the value, refusing non-finite numbers.
        ///
        /// # Errors
        /// The deserializer's, or a non-finite number.
        fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
    }

    macro_rules! float_value {
        ($($t:ty),*) => {$(
            impl Value for $t {
                fn filler() -> Self {
                    0.0
                }
                fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    self.serialize(s)
                }
                fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    Finite::<$t>(PhantomData).deserialize(d)
                }
            }
        )*};
    }
    float_value!(f32, f64);

    impl<X: Value, const N: usize> Value for [X; N] {
        fn filler() -> Self {
            [X::filler(); N]
        }
        fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Tuple(&self[..]).serialize(s)
        }
        fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            ArraySeed::<Seed<X>, X, N> {
                elem: Seed::new(),
                zero: X::filler(),
            }
            .deserialize(d)
        }
    }

    /// Serializes a [`Value`].
    pub struct Ser<'a, V>(pub &'a V);

    impl<V: Value> Serialize for Ser<'_, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.write(s)
        }
    }

    /// Reads a [`Value`].
    pub struct Seed<V>(PhantomData<fn() -> V>);

    impl<V> Seed<V> {
        /// The seed.
        pub fn new() -> Self {
            Seed(PhantomData)
        }
    }

    impl<V> Default for Seed<V> {
        fn default() -> Self {
            Self::new()
        }
    }

    impl<V> Clone for Seed<V> {
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<V> Copy for Seed<V> {}

    impl<'de, V: Value> DeserializeSeed<'de> for Seed<V> {
        type Value = V;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V, D::Error> {
            V::read(d)
        }
    }

    /// Reads a field name (or index) as its index in the given list.
    pub struct FieldIndex(pub &'static [&'static str]);

    impl<'de> DeserializeSeed<'de> for FieldIndex {
        type Value = usize;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
            d.deserialize_identifier(self)
        }
    }

    impl Visitor<'_> for FieldIndex {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "one of the fields {:?}", self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
            self.0
                .iter()
                .position(|&n| n == v)
                .ok_or_else(|| E::unknown_field(v, self.0))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
            match usize::try_from(v) {
                Ok(i) if i < self.0.len() => Ok(i),
                _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
            }
        }
    }

    /// Reads the unit struct `name`.
    ///
    /// # Errors
    /// The deserializer's.
    pub fn unit<'de, D: Deserializer<'de>>(d: D, name: &'static str) -> Result<(), D::Error> {
        struct UnitVisitor(&'static str);
        impl Visitor<'_> for UnitVisitor {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the unit struct {}", self.0)
            }
            fn visit_unit<E: de::Error>(self) -> Result<(), E> {
                Ok(())
            }
        }
        d.deserialize_unit_struct(name, UnitVisitor(name))
    }

    /// Reads the newtype struct `name` of a [`Value`].
    ///
    /// # Errors
    /// The deserializer's, or a non-finite number.
    pub fn newtype<'de, D: Deserializer<'de>, V: Value>(
        d: D,
        name: &'static str,
    ) -> Result<V, D::Error> {
        struct NewtypeVisitor<V>(&'static str, PhantomData<fn() -> V>);
        impl<'de, V: Value> Visitor<'de> for NewtypeVisitor<V> {
            type Value = V;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the newtype struct {}", self.0)
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V, D::Error> {
                V::read(d)
            }
        }
        d.deserialize_newtype_struct(name, NewtypeVisitor::<V>(name, PhantomData))
    }
}

/// Serializes a slice as a fixed-length tuple.
struct Tuple<'a, T>(&'a [T]);

impl<T: support::Value> Serialize for Tuple<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for v in self.0 {
            t.serialize_element(&support::Ser(v))?;
        }
        t.end()
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

#[cfg(test)]
mod tests {
    use crate::layers::{Dense, LeakyRelu, Softmax};
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
