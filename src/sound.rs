//! Short tones for success and failure, synthesised with WebAudio so the
//! bundle carries no audio files. Silent (never an error) when the browser
//! blocks autoplay: kiosks run Chromium with
//! `--autoplay-policy=no-user-gesture-required`.

use std::cell::RefCell;
use web_sys::{AudioContext, OscillatorType};

/// Which sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Two rising notes: paid, take your item.
    Success,
    /// Two falling notes: it did not go through.
    Failure,
}

thread_local! {
    // One context for the page's life: browsers cap how many may exist.
    static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Plays `tone`, if the browser lets us.
pub fn play(tone: Tone) {
    let notes: [(f32, f64); 2] = match tone {
        Tone::Success => [(660.0, 0.0), (990.0, 0.12)],
        Tone::Failure => [(440.0, 0.0), (294.0, 0.18)],
    };
    CONTEXT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = AudioContext::new().ok();
        }
        if let Some(ctx) = slot.as_ref() {
            let _ = ctx.resume();
            for (freq, at) in notes {
                let _ = note(ctx, freq, at);
            }
        }
    });
}

fn note(ctx: &AudioContext, freq: f32, at: f64) -> Result<(), wasm_bindgen::JsValue> {
    let start = ctx.current_time() + at;
    let osc = ctx.create_oscillator()?;
    let gain = ctx.create_gain()?;
    osc.set_type(OscillatorType::Sine);
    osc.frequency().set_value(freq);
    // A quick fade in and out: no clicks.
    gain.gain().set_value_at_time(0.0, start)?;
    gain.gain()
        .linear_ramp_to_value_at_time(0.3, start + 0.02)?;
    gain.gain()
        .linear_ramp_to_value_at_time(0.0, start + 0.16)?;
    osc.connect_with_audio_node(&gain)?;
    gain.connect_with_audio_node(&ctx.destination())?;
    osc.start_with_when(start)?;
    osc.stop_with_when(start + 0.18)?;
    Ok(())
}
