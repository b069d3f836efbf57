//! The device side: semihosting stdout, the exit status QEMU returns, and the stack peak.

use crate::out::Sink;
use cortex_m_semihosting::{debug, hio};

/// The host's stdout through semihosting. If the debugger offers none, output is dropped.
pub struct Stdout(Option<hio::HostStream>);

/// Opens the host's stdout.
pub fn stdout() -> Stdout {
    Stdout(hio::hstdout().ok())
}

impl Sink for Stdout {
    fn bytes(&mut self, bytes: &[u8]) {
        if let Some(s) = &mut self.0 {
            // Nothing better to do with a failed write than to go on: the golden
            // comparison on the host will notice the missing bytes.
            let _ = s.write_all(bytes);
        }
    }
}

/// Ends the program; under QEMU, `ok` becomes exit status 0, otherwise 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached without a debugger to stop us.
    loop {
        cortex_m::asm::wfi();
    }
}

/// The deepest the stack has been since reset, in bytes.
///
/// cortex-m-rt's `paint-stack` fills everything from `_stack_end` (lowest address) to
/// `_stack_start` (the initial stack pointer) with [`cortex_m_rt::STACK_PAINT_VALUE`]
/// before `main`; the stack grows down, so the lowest word that is no longer paint marks
/// the peak.
pub fn peak_stack() -> u32 {
    unsafe extern "C" {
        static _stack_end: u32;
        static _stack_start: u32;
    }
    let bottom = &raw const _stack_end;
    let top = &raw const _stack_start;
    let mut p = bottom;
    // SAFETY: every word from `_stack_end` up to `_stack_start` is RAM the linker
    // script reserved for the stack; reading it is always valid (volatile, because the
    // compiler cannot know the start-up code wrote it).
    while p < top && unsafe { p.read_volatile() } == cortex_m_rt::STACK_PAINT_VALUE {
        p = p.wrapping_add(1);
    }
    (top as usize).wrapping_sub(p as usize) as u32
}

/// Writes `# peak stack N bytes`: a `#` line, which the golden comparison skips because
/// the figure differs between targets (and the host has none).
pub fn report_stack(out: &mut impl Sink) {
    out.str("# peak stack ");
    out.u32(peak_stack());
    out.str(" bytes\n");
}
