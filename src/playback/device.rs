//! The audio device through cpal: finding one (a machine with no sound
//! card — a server, CI, Xvfb — is a normal state with a reason, never a
//! panic) and playing a [`Transport`] on it. The cpal stream lives on a
//! thread of its own (it may not move between threads); the decoder on
//! another.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

use super::click::Tick;
use super::{Chunk, Drain, OutFormat, QUEUE_BLOCKS, Transport, feed};

/// The default output device's name and format, or why there is none.
pub fn probe() -> Result<(String, OutFormat), String> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| "no audio output device on this machine".to_string())?;
    let config = device
        .default_output_config()
        .map_err(|e| format!("the audio output cannot be opened: {e}"))?;
    let name = device
        .description()
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "default output".into());
    Ok((
        name,
        OutFormat {
            rate: config.sample_rate(),
            channels: usize::from(config.channels()),
        },
    ))
}

/// A file playing (or paused) on the default device.
#[derive(Debug)]
pub struct Player {
    /// The shared state: position, playing, click.
    pub transport: Arc<Transport>,
    /// The file.
    pub path: PathBuf,
}

impl Player {
    /// Starts `path` at `at_s`, paused until [`Transport::set_playing`];
    /// the device opens on its own thread, so this returns at once and a
    /// failure shows up in [`Transport::error`].
    pub fn start(path: PathBuf, at_s: f64, ticks: Vec<Tick>, format: OutFormat) -> Player {
        let transport = Arc::new(Transport::new(at_s, format.rate));
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(QUEUE_BLOCKS);
        {
            let (t, p) = (Arc::clone(&transport), path.clone());
            std::thread::spawn(move || feed(&p, &t, format, &tx));
        }
        {
            let t = Arc::clone(&transport);
            std::thread::spawn(move || {
                if let Err(e) = run_device(&t, rx, ticks) {
                    t.fail(e);
                }
            });
        }
        Player { transport, path }
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.transport.shut();
    }
}

/// Opens the default device and plays until the transport stops.
fn run_device(
    transport: &Arc<Transport>,
    rx: std::sync::mpsc::Receiver<Chunk>,
    ticks: Vec<Tick>,
) -> Result<(), String> {
    let device = cpal::default_host()
        .default_output_device()
        .ok_or("no audio output device on this machine")?;
    let supported = device
        .default_output_config()
        .map_err(|e| format!("the audio output cannot be opened: {e}"))?;
    let stream = match supported.sample_format() {
        SampleFormat::F32 => build::<f32>(&device, supported.config(), transport, rx, ticks),
        SampleFormat::I16 => build::<i16>(&device, supported.config(), transport, rx, ticks),
        SampleFormat::I32 => build::<i32>(&device, supported.config(), transport, rx, ticks),
        SampleFormat::U16 => build::<u16>(&device, supported.config(), transport, rx, ticks),
        other => {
            return Err(format!(
                "the audio output's sample format {other} is not supported"
            ));
        }
    }?;
    stream
        .play()
        .map_err(|e| format!("the audio output would not start: {e}"))?;
    while !transport.stopping() {
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn build<T: SizedSample + FromSample<f32>>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    transport: &Arc<Transport>,
    rx: std::sync::mpsc::Receiver<Chunk>,
    ticks: Vec<Tick>,
) -> Result<cpal::Stream, String> {
    let channels = usize::from(config.channels);
    let rate = config.sample_rate;
    let t = Arc::clone(transport);
    let failed = Arc::clone(transport);
    let mut drain = Drain::default();
    let mut scratch: Vec<f32> = Vec::new();
    device
        .build_output_stream(
            config,
            move |out: &mut [T], _| {
                scratch.resize(out.len(), 0.0);
                drain.fill(&mut scratch, (channels, rate), &t, (&rx, &ticks));
                for (o, &s) in out.iter_mut().zip(&scratch) {
                    *o = T::from_sample(s.clamp(-1.0, 1.0));
                }
            },
            move |e| failed.fail(format!("the audio output stopped: {e}")),
            None,
        )
        .map_err(|e| format!("the audio output cannot be opened: {e}"))
}
