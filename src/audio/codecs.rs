//! The codec registry: symphonia's decoders plus Opus (feature `opus`),
//! and readable names for codecs we recognise but cannot decode.

use std::sync::LazyLock;

use symphonia::core::codecs::registry::CodecRegistry;

/// Symphonia's decoders, plus Opus through libopus with the `opus` feature.
pub fn codecs() -> &'static CodecRegistry {
    static REGISTRY: LazyLock<CodecRegistry> = LazyLock::new(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        #[cfg(feature = "opus")]
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    });
    &REGISTRY
}

/// A readable name for codecs we know of but cannot decode.
pub fn codec_name(id: symphonia::core::codecs::audio::AudioCodecId) -> String {
    use symphonia::core::codecs::audio::well_known::*;
    let known = [
        (CODEC_ID_OPUS, "opus"),
        (CODEC_ID_WAVPACK, "wavpack"),
        (CODEC_ID_AC3, "ac3"),
        (CODEC_ID_EAC3, "eac3"),
        (CODEC_ID_DCA, "dts"),
        (CODEC_ID_SPEEX, "speex"),
        (CODEC_ID_WMA, "wma"),
    ];
    known
        .iter()
        .find(|(k, _)| *k == id)
        .map_or_else(|| id.to_string(), |(_, n)| (*n).to_string())
}
