//! Training curves and confusion matrices as SVG files, written by hand.
//!
//! Why not a plotting crate: two chart kinds take about 300 lines of plain string
//! formatting here and need no dependency, in a library whose point is having few. SVG is
//! text; a browser or any image viewer shows it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A named line of a chart: one value per epoch.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
    pub color: &'a str,
}

const FONT: &str = r#"font-family="Helvetica, Arial, sans-serif""#;

/// A tick step of 1, 2 or 5 times a power of ten giving about `n` ticks over `span`.
fn nice_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    p * if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    }
}

/// A tick label: as many decimals as the step needs.
fn label(v: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    format!("{v:.decimals$}")
}

/// Where a line chart goes and what its y axis spans.
struct Panel<'a> {
    /// Its left edge; it is `PANEL_W` wide and `PANEL_H` high.
    x: f64,
    title: &'a str,
    /// The y axis runs over `[lo, hi]`, rounded out to ticks.
    lo: f64,
    hi: f64,
    /// The legend in the bottom right corner (for rising curves) instead of the top.
    legend_low: bool,
}

const PANEL_W: f64 = 450.0;
const PANEL_H: f64 = 340.0;

/// One line chart with its axes (the plot area is inset to leave room for labels).
fn panel(svg: &mut String, p: &Panel, series: &[Series]) {
    let (title, lo, hi, legend_low) = (p.title, p.lo, p.hi, p.legend_low);
    let y = 0.0;
    let (left, right, top, bottom) = (
        p.x + 56.0,
        p.x + PANEL_W - 12.0,
        y + 34.0,
        y + PANEL_H - 40.0,
    );
    let epochs = series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let ystep = nice_step(hi - lo, 5.0);
    let (lo, hi) = ((lo / ystep).floor() * ystep, (hi / ystep).ceil() * ystep);
    let hi = if hi > lo { hi } else { lo + ystep };
    let px = |e: f64| left + (e - 1.0) / (epochs as f64 - 1.0) * (right - left);
    let py = |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" {FONT} font-size="15" font-weight="bold">{title}</text>"#,
        left,
        y + 20.0
    );
    // grid and y labels
    let mut v = lo;
    while v <= hi + ystep / 2.0 {
        let yy = py(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{right}" y2="{yy:.1}" stroke="#e4e4e4"/>"##
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" {FONT} font-size="11" text-anchor="end">{}</text>"#,
            left - 6.0,
            yy + 4.0,
            label(v, ystep)
        );
        v += ystep;
    }
    // x labels: epochs
    let xstep = nice_step(epochs as f64, 5.0).max(1.0);
    let mut e = xstep;
    while e <= epochs as f64 {
        let xx = px(e);
        let _ = writeln!(
            svg,
            r##"<line x1="{xx:.1}" y1="{bottom}" x2="{xx:.1}" y2="{}" stroke="#444"/>"##,
            bottom + 4.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{xx:.1}" y="{}" {FONT} font-size="11" text-anchor="middle">{e}</text>"#,
            bottom + 17.0
        );
        e += xstep;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" {FONT} font-size="12" text-anchor="middle">epoch</text>"#,
        (left + right) / 2.0,
        bottom + 33.0
    );
    let _ = writeln!(
        svg,
        r##"<polyline points="{left},{top} {left},{bottom} {right},{bottom}" fill="none" stroke="#444"/>"##
    );
    // the lines, and a legend in the top or bottom right corner, away from the curves
    for (i, s) in series.iter().enumerate() {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(k, &v)| format!("{:.1},{:.1}", px(k as f64 + 1.0), py(v)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            points.join(" "),
            s.color
        );
        let ly = if legend_low {
            bottom - 12.0 - 18.0 * (series.len() - 1 - i) as f64
        } else {
            top + 8.0 + 18.0 * i as f64
        };
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2"/>"#,
            right - 150.0,
            right - 128.0,
            s.color
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" {FONT} font-size="12">{}</text>"#,
            right - 122.0,
            ly + 4.0,
            s.name
        );
    }
}

fn open(svg: &mut String, w: f64, h: f64) {
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
}

/// Two panels side by side, titled after `name`: the loss curves (from 0) and the
/// accuracy curves (in %).
pub fn curves(name: &str, loss: &[Series], accuracy: &[Series]) -> String {
    let mut svg = String::new();
    open(&mut svg, 2.0 * PANEL_W, PANEL_H);
    let max = |s: &[Series]| {
        s.iter()
            .flat_map(|s| s.values)
            .fold(f64::MIN, |a, &b| a.max(b))
    };
    let min = |s: &[Series]| {
        s.iter()
            .flat_map(|s| s.values)
            .fold(f64::MAX, |a, &b| a.min(b))
    };
    let title = format!("{name}: loss per sample");
    let (lo, hi, legend_low) = (0.0, max(loss), false);
    panel(
        &mut svg,
        &Panel {
            x: 0.0,
            title: &title,
            lo,
            hi,
            legend_low,
        },
        loss,
    );
    let title = format!("{name}: accuracy (%)");
    let (lo, hi, legend_low) = (min(accuracy).min(100.0), max(accuracy).min(100.0), true);
    panel(
        &mut svg,
        &Panel {
            x: PANEL_W,
            title: &title,
            lo,
            hi,
            legend_low,
        },
        accuracy,
    );
    svg.push_str("</svg>\n");
    svg
}

/// A confusion matrix as a grid: rows the true class, columns the predicted one, each
/// cell's count written in it and its shade the count's share of the row (the diagonal
/// in blue, mistakes in red).
pub fn confusion<const C: usize>(
    title: &str,
    counts: &[[u32; C]; C],
    labels: &[&str; C],
) -> String {
    let cell = if C > 4 { 40.0 } else { 80.0 };
    let (left, top) = (110.0, 70.0);
    let side = cell * C as f64;
    let mut svg = String::new();
    // wide enough for the title too (bold 15 px: under 9.5 px a character)
    let width = (left + side + 30.0).max(20.0 + 9.5 * title.chars().count() as f64);
    open(&mut svg, width.round(), top + side + 20.0);
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" {FONT} font-size="15" font-weight="bold">{title}</text>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="48" {FONT} font-size="12" text-anchor="middle">predicted</text>"#,
        left + side / 2.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="14" y="{}" {FONT} font-size="12" transform="rotate(-90 14 {})" text-anchor="middle">true class</text>"#,
        top + side / 2.0,
        top + side / 2.0
    );
    for (r, row) in counts.iter().enumerate() {
        let total = row.iter().map(|&n| f64::from(n)).sum::<f64>().max(1.0);
        let y = top + cell * r as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" {FONT} font-size="12" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + cell / 2.0 + 4.0,
            labels[r]
        );
        for (c, &n) in row.iter().enumerate() {
            let x = left + cell * c as f64;
            let share = f64::from(n) / total;
            // white at 0, full colour at the whole row; mistakes are shown from a few %
            let (rgb, strength) = if r == c {
                ((33, 102, 172), share)
            } else {
                ((202, 0, 32), (share * 4.0).min(1.0))
            };
            let mix = |v: u8| (255.0 - (255.0 - f64::from(v)) * strength).round() as u8;
            let fill = format!("#{:02x}{:02x}{:02x}", mix(rgb.0), mix(rgb.1), mix(rgb.2));
            let ink = if strength > 0.6 { "white" } else { "#222" };
            let _ = writeln!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#ccc"/>"##
            );
            if n > 0 {
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{}" {FONT} font-size="12" text-anchor="middle" fill="{ink}">{n}</text>"#,
                    x + cell / 2.0,
                    y + cell / 2.0 + 4.0
                );
            }
            if r == 0 {
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{}" {FONT} font-size="12" text-anchor="middle">{}</text>"#,
                    x + cell / 2.0,
                    top - 8.0,
                    labels[c]
                );
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Where the examples write their pictures: `$TYPENET_PLOTS`, or `target/plots` in the
/// crate.
pub fn out_dir() -> PathBuf {
    std::env::var_os("TYPENET_PLOTS").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("plots")
        },
        PathBuf::from,
    )
}

/// Writes `svg` to `name` in [`out_dir`], creating it, and returns the path.
pub fn save(name: &str, svg: &str) -> std::io::Result<PathBuf> {
    let dir = out_dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, svg)?;
    Ok(path)
}
