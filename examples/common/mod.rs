//! Reading the data sets in `data/` (shared by the examples and the tests).
//!
//! The files are compiled in with `include_str!`, so an example runs from any directory;
//! they are still parsed at run time, and a malformed line is an error naming the line.

// Each example uses part of this module.
#![allow(dead_code)]

pub mod svg;

use typenet::Class;

const DIGITS: &str = include_str!("../../data/digits.csv");
const BREAST_CANCER: &str = include_str!("../../data/breast_cancer.csv");

/// Digits: the first 1437 rows train, the last 360 test (file order).
pub const DIGITS_TRAIN: usize = 1437;
/// Breast cancer: the first 455 rows train, the last 114 test (file order).
pub const CANCER_TRAIN: usize = 455;

/// A line of a data file that could not be read.
#[derive(Debug)]
pub struct CsvError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Parses comma-separated lines of `F` numbers followed by an integer class label.
/// `skip` lines at the top (a header) are ignored, as are empty lines.
pub fn parse<const F: usize>(
    file: &'static str,
    text: &str,
    skip: usize,
) -> Result<Vec<([f32; F], usize)>, CsvError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(skip) {
        let err = |message: String| CsvError {
            file,
            line: i + 1,
            message,
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != F + 1 {
            return Err(err(format!("{} fields, expected {}", fields.len(), F + 1)));
        }
        let mut x = [0.0f32; F];
        for (xi, field) in x.iter_mut().zip(&fields) {
            *xi = field
                .trim()
                .parse()
                .map_err(|e| err(format!("{field:?} is not a number: {e}")))?;
            if !xi.is_finite() {
                return Err(err(format!("{field:?} is not finite")));
            }
        }
        let label = fields[F]
            .trim()
            .parse()
            .map_err(|e| err(format!("label {:?}: {e}", fields[F])))?;
        rows.push((x, label));
    }
    Ok(rows)
}

pub type Digit = ([f32; 64], Class<10>);

/// The digits, pixels divided by 16 (so in `[0, 1]`), split into (train, test).
pub fn digits() -> Result<(Vec<Digit>, Vec<Digit>), CsvError> {
    let rows = parse::<64>("digits.csv", DIGITS, 0)?;
    let mut all = Vec::with_capacity(rows.len());
    for (i, (x, label)) in rows.into_iter().enumerate() {
        let class = Class::new(label).map_err(|e| CsvError {
            file: "digits.csv",
            line: i + 1,
            message: e.to_string(),
        })?;
        all.push((x.map(|p| p / 16.0), class));
    }
    if all.len() <= DIGITS_TRAIN {
        return Err(CsvError {
            file: "digits.csv",
            line: all.len(),
            message: "too few rows".into(),
        });
    }
    let test = all.split_off(DIGITS_TRAIN);
    Ok((all, test))
}

/// The images with each one also shifted by one pixel left, right, up and down (pixels
/// shifted in are 0): five times the training data, from the same images. A digit moved
/// by a pixel is still the same digit, so this teaches the network that position does not
/// matter — a small network on 1437 images cannot learn that from the data alone.
pub fn with_shifted_copies(images: &[Digit]) -> Vec<Digit> {
    let mut out = images.to_vec();
    for (dr, dc) in [(0i32, 1i32), (0, -1), (1, 0), (-1, 0)] {
        for (x, t) in images {
            let mut y = [0.0f32; 64];
            for r in 0..8i32 {
                for c in 0..8i32 {
                    let (sr, sc) = (r - dr, c - dc);
                    if (0..8).contains(&sr) && (0..8).contains(&sc) {
                        y[(r * 8 + c) as usize] = x[(sr * 8 + sc) as usize];
                    }
                }
            }
            out.push((y, *t));
        }
    }
    out
}

pub type Tumour = ([f32; 30], [f32; 1]);

/// The breast cancer data, split into (train, test), each feature standardised to mean 0
/// and standard deviation 1 using statistics of the training rows only (the test rows are
/// unseen data, scaled as new data would be). Target: 1 benign, 0 malignant.
pub fn breast_cancer() -> Result<(Vec<Tumour>, Vec<Tumour>), CsvError> {
    let rows = parse::<30>("breast_cancer.csv", BREAST_CANCER, 1)?;
    let mut all = Vec::with_capacity(rows.len());
    for (i, (x, label)) in rows.into_iter().enumerate() {
        if label > 1 {
            return Err(CsvError {
                file: "breast_cancer.csv",
                line: i + 2,
                message: format!("label {label} is neither 0 nor 1"),
            });
        }
        all.push((x, [label as f32]));
    }
    if all.len() <= CANCER_TRAIN {
        return Err(CsvError {
            file: "breast_cancer.csv",
            line: all.len() + 1,
            message: "too few rows".into(),
        });
    }
    let (mean, std) = mean_and_std(&all[..CANCER_TRAIN]);
    for (x, _) in &mut all {
        for ((v, m), s) in x.iter_mut().zip(mean).zip(std) {
            *v = ((f64::from(*v) - m) / s) as f32;
        }
    }
    let test = all.split_off(CANCER_TRAIN);
    Ok((all, test))
}

/// Per-feature mean and (population) standard deviation, in f64; a constant feature gets
/// a standard deviation of 1 so that it maps to 0 rather than NaN.
pub fn mean_and_std<const F: usize, T>(rows: &[([f32; F], T)]) -> ([f64; F], [f64; F]) {
    let n = rows.len().max(1) as f64;
    let mut mean = [0.0; F];
    for (x, _) in rows {
        for (m, &v) in mean.iter_mut().zip(x) {
            *m += f64::from(v) / n;
        }
    }
    let mut std = [0.0; F];
    for (x, _) in rows {
        for ((s, &v), m) in std.iter_mut().zip(x).zip(mean) {
            *s += (f64::from(v) - m).powi(2) / n;
        }
    }
    (mean, std.map(|v| if v > 0.0 { v.sqrt() } else { 1.0 }))
}
