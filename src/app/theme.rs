//! Colours: one per stage kind (used on nodes, pins and charts alike) and a
//! few status colours.

use egui::Color32;

use crate::orchestrator::WaveStage;

pub const ACCENT: Color32 = Color32::from_rgb(90, 170, 255);
pub const OK: Color32 = Color32::from_rgb(110, 200, 120);
pub const WARN: Color32 = Color32::from_rgb(235, 180, 70);
pub const ERROR: Color32 = Color32::from_rgb(240, 95, 90);

/// The colour of a stage kind.
pub fn stage_color(kind: WaveStage) -> Color32 {
    match kind {
        WaveStage::Preparation => Color32::from_rgb(120, 144, 156),
        WaveStage::InitialAnalysis => Color32::from_rgb(66, 165, 245),
        WaveStage::FeatureExtraction => Color32::from_rgb(38, 166, 154),
        WaveStage::DeepAnalysis => Color32::from_rgb(171, 71, 188),
        WaveStage::Aggregation => Color32::from_rgb(255, 167, 38),
        WaveStage::PostProcessing => Color32::from_rgb(236, 64, 122),
        WaveStage::Finalization => Color32::from_rgb(102, 187, 106),
    }
}

/// egui's fonts with two additions. The proportional family falls back to
/// the monospace font (Hack, bundled with egui), which has the arrows,
/// triangles and dots the UI uses (→ ▲ ▼ ●) that Ubuntu-Light lacks, then
/// to the flat and sharp signs of DejaVu Sans (♭ ♯, for keys as musicians
/// spell them; `assets/fonts`), so they show as themselves instead of
/// empty boxes.
pub fn fonts() -> egui::FontDefinitions {
    use egui::FontFamily;
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        ACCIDENTALS.into(),
        std::sync::Arc::new(egui::FontData::from_static(include_bytes!(
            "../../assets/fonts/accidentals.ttf"
        ))),
    );
    let fallback = fonts
        .families
        .get(&FontFamily::Monospace)
        .and_then(|m| m.first())
        .cloned();
    if let Some(proportional) = fonts.families.get_mut(&FontFamily::Proportional) {
        for name in fallback.into_iter().chain([ACCIDENTALS.to_string()]) {
            if !proportional.contains(&name) {
                proportional.push(name);
            }
        }
    }
    fonts
}

/// The font with ♭ and ♯.
const ACCIDENTALS: &str = "wave-studio-accidentals";

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a fresh context with `fonts` (egui's own when `None`) can
    /// draw every character of `text` in proportional text.
    fn draws(fonts: Option<egui::FontDefinitions>, text: &str) -> bool {
        let ctx = egui::Context::default();
        if let Some(f) = fonts {
            ctx.set_fonts(f);
        }
        ctx.run_ui(Default::default(), |_| {})
            .drop_without_applying_deltas();
        let font = egui::FontId::proportional(14.0);
        ctx.fonts_mut(|f| f.has_glyphs(&font, text))
    }

    #[test]
    fn proportional_text_has_the_symbols_the_ui_uses() {
        // Not ⚠: egui draws it from NotoEmoji, the face its replacement
        // glyph comes from too, so `has_glyph` cannot tell it is there.
        let symbols = "→ ▲ ▼ ● × · … – ↑ ↓ ♭ ♯";
        // egui's own proportional fonts lack some of them.
        assert!(!draws(None, symbols));
        assert!(draws(Some(fonts()), symbols));
    }
}
