//! The fixed int8 inputs and LiteRT's outputs for the `tflite_sine` and `tflite_speech`
//! binaries, and for their MicroFlow twins in `microflow/` (which include this very file,
//! so both programs do the same work on the same bytes).
//!
//! The bytes come from the golden files `scripts/tflite_models.py` wrote with LiteRT's
//! reference kernels (`tests/data/tflite/sine_codes.bin`: every input code and its
//! output; `speech_codes.bin`: 32 random inputs and their outputs). They are picked out
//! while compiling (`const`), so only the chosen inputs and outputs end up in flash.
//!
//! `TYPENET_INFERENCES=n` at build time sets how many inferences a program runs (8 by
//! default): a build with 8 and one with 0 differ by 8 inferences, which is how the
//! instructions per inference are counted under QEMU.

/// Inferences each program runs (see the module docs).
pub const INFERENCES: usize = match option_env!("TYPENET_INFERENCES") {
    Some(s) => parse(s),
    None => 8,
};

const fn parse(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii_digit(),
            "TYPENET_INFERENCES must be a number"
        );
        n = n * 10 + (bytes[i] - b'0') as usize;
        i += 1;
    }
    n
}

const SINE_CODES: &[u8; 512] = include_bytes!("../../../tests/data/tflite/sine_codes.bin");

/// Eight input codes of `sine.tflite` (x from −128 to 127 in its quantization).
pub const SINE_INPUTS: [i8; 8] = pick_sine(0);
/// LiteRT's output code for each of [`SINE_INPUTS`].
pub const SINE_OUTPUTS: [i8; 8] = pick_sine(256);

/// The codes at 8 places spread over the 256: −128, −91, −55, −18, 18, 55, 91, 127.
const fn pick_sine(offset: usize) -> [i8; 8] {
    let at = [0, 37, 73, 110, 146, 183, 219, 255];
    let mut out = [0; 8];
    let mut k = 0;
    while k < 8 {
        out[k] = SINE_CODES[offset + at[k]] as i8;
        k += 1;
    }
    out
}

const SPEECH_CODES: &[u8; 32 * 1960 + 32 * 4] =
    include_bytes!("../../../tests/data/tflite/speech_codes.bin");

/// How many of `speech_codes.bin`'s inputs the speech programs carry: the inference `k`
/// runs input `k % SPEECH_CASES`. 2 by default (3 920 bytes of flash);
/// `TYPENET_SPEECH_CASES=32` at build time takes all of them (with
/// `TYPENET_INFERENCES=32`, every recorded input once).
pub const SPEECH_CASES: usize = match option_env!("TYPENET_SPEECH_CASES") {
    Some(s) => {
        let n = parse(s);
        assert!(n >= 1 && n <= 32, "TYPENET_SPEECH_CASES must be 1..=32");
        n
    }
    None => 2,
};

/// How the outputs compare with LiteRT's: how many there were, how many differ, and
/// by how many quantization steps at most.
#[derive(Default)]
pub struct Tally {
    outputs: u32,
    differ: u32,
    max_steps: u32,
}

impl Tally {
    /// One output, `steps` quantization steps from LiteRT's.
    pub fn add(&mut self, steps: u32) {
        self.outputs += 1;
        if steps != 0 {
            self.differ += 1;
            self.max_steps = self.max_steps.max(steps);
        }
    }

    /// Whether every output equals LiteRT's.
    pub fn exact(&self) -> bool {
        self.differ == 0
    }

    /// Writes `# D of N outputs differ from LiteRT's, by at most S steps` if some do
    /// (a `#` line, as the stack peak's; without formatting code).
    pub fn report(&self, out: &mut impl crate::out::Sink) {
        if self.differ != 0 {
            out.str("# ");
            out.u32(self.differ);
            out.str(" of ");
            out.u32(self.outputs);
            out.str(" outputs differ from LiteRT's, by at most ");
            out.u32(self.max_steps);
            out.str(" steps\n");
        }
    }
}

/// The inputs of `speech.tflite`, 1960 codes each (49 rows of 40).
pub const SPEECH_INPUTS: [[i8; 1960]; SPEECH_CASES] = {
    let mut out = [[0; 1960]; SPEECH_CASES];
    let mut k = 0;
    while k < SPEECH_CASES {
        let mut i = 0;
        while i < 1960 {
            out[k][i] = SPEECH_CODES[k * 1960 + i] as i8;
            i += 1;
        }
        k += 1;
    }
    out
};

/// LiteRT's four output codes for each of [`SPEECH_INPUTS`].
pub const SPEECH_OUTPUTS: [[i8; 4]; SPEECH_CASES] = {
    let mut out = [[0; 4]; SPEECH_CASES];
    let mut k = 0;
    while k < SPEECH_CASES {
        let mut i = 0;
        while i < 4 {
            out[k][i] = SPEECH_CODES[32 * 1960 + k * 4 + i] as i8;
            i += 1;
        }
        k += 1;
    }
    out
};
